#pragma once

#include <QLoggingCategory>

// One logging category per module, named after its folder, so an operator
// can turn on exactly the part in question:
//   QT_LOGGING_RULES="gotriage.ingest.debug=true" gotriage ...
// Debug output is off by default; warnings are on.
Q_DECLARE_LOGGING_CATEGORY(lcAnalysis) // gotriage.analysis
Q_DECLARE_LOGGING_CATEGORY(lcConfig) // gotriage.config
Q_DECLARE_LOGGING_CATEGORY(lcIngest) // gotriage.ingest
Q_DECLARE_LOGGING_CATEGORY(lcSession) // gotriage.session
Q_DECLARE_LOGGING_CATEGORY(lcSim) // gotriage.sim
Q_DECLARE_LOGGING_CATEGORY(lcStore) // gotriage.store
Q_DECLARE_LOGGING_CATEGORY(lcTriage) // gotriage.triage
Q_DECLARE_LOGGING_CATEGORY(lcRecord) // gotriage.record
Q_DECLARE_LOGGING_CATEGORY(lcUi) // gotriage.ui
