#include "logging.h"

Q_LOGGING_CATEGORY(lcAnalysis, "gotriage.analysis", QtWarningMsg)
Q_LOGGING_CATEGORY(lcConfig, "gotriage.config", QtWarningMsg)
Q_LOGGING_CATEGORY(lcIngest, "gotriage.ingest", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSession, "gotriage.session", QtWarningMsg)
Q_LOGGING_CATEGORY(lcSim, "gotriage.sim", QtWarningMsg)
Q_LOGGING_CATEGORY(lcStore, "gotriage.store", QtWarningMsg)
Q_LOGGING_CATEGORY(lcTriage, "gotriage.triage", QtWarningMsg)
Q_LOGGING_CATEGORY(lcRecord, "gotriage.record", QtWarningMsg)
Q_LOGGING_CATEGORY(lcUi, "gotriage.ui", QtWarningMsg)
