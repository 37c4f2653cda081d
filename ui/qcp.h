#pragma once

// The one place qcustomplot.h is included from. It still uses the `foreach`
// keyword that QT_NO_FOREACH removes (and with it Q_FOREACH); for its two
// loops a range-for does the same. Include this only from .cpp files: the
// header is large and slows builds.
#define foreach(variable, container) for (variable : container)
#include <qcustomplot.h>
#undef foreach
