#include "source.h"

namespace gotriage::ingest {

Source::~Source() = default;

} // namespace gotriage::ingest
