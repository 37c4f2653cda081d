#pragma once

#include "diagnose/flamegraph.h"
#include "diagnose/goroutinegroups.h"
#include "diagnose/profilediff.h"
#include "diagnose/toptable.h"
#include "flamegraphwidget.h"
#include "formats/profile.h"
#include "ingest/profilecapture.h"

#include <memory>

namespace gotriage::ui {

// A capture, decoded: a profile, or a goroutine dump grouped. Made off the
// GUI thread (openCapture), shared read-only after.
struct OpenedCapture {
    ingest::CaptureResultPtr capture;
    std::shared_ptr<const formats::Profile> profile; // every kind but the goroutine text
    std::vector<diagnose::GoroutineGroup> groups; // the goroutine text
    int goroutines = 0;
    QString error; // why neither could be read
};
using OpenedCapturePtr = std::shared_ptr<const OpenedCapture>;

OpenedCapturePtr openCapture(const ingest::CaptureResultPtr &capture);

// What the profile view shows for one sample type: the top table, the flame
// graph and, against a base profile, the table of differences (the flame
// graph then coloured by growth). Made off the GUI thread.
struct ProfileViews {
    diagnose::TopTable top;
    std::optional<diagnose::ProfileDiff> diff;
    std::shared_ptr<const diagnose::FlameTree> flame;
    FlameGraphWidget::Labels flameLabels; // made here rather than on the first paint
};
ProfileViews computeProfileViews(const formats::Profile &profile, const formats::Profile *base,
                                 const std::string &sampleIndex);

// Where a capture is saved by default: "checkout-1-heap-20261202-071502.pb.gz"
// or "…-goroutines-….txt" (the dump's own text).
QString defaultExportName(const ingest::CaptureResult &capture);

} // namespace gotriage::ui
