#pragma once

namespace gotriage::cli {

// Writes a recording of `services` services at 1 s for `hours` into a
// temporary folder (removed after), then times what an operator waits for:
// opening it to the first batch of data (the first plotted frame), and
// seeking to random moments until the moment's batch arrives.
int benchReplay(int services, double hours, int seeks);

} // namespace gotriage::cli
