// core/ is layered: a folder includes only folders below it, so there is no
// include cycle and a lower layer never depends on ingest's details. The
// order is the data's: formats and config, what a scrape brought back,
// signals, store and analysis, ingest (which runs them), issues.
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QMap>
#include <QRegularExpression>
#include <QTest>

class TestLayers : public QObject
{
    Q_OBJECT

private slots:
    void coreIncludesOnlyDownwards();
};

void TestLayers::coreIncludesOnlyDownwards()
{
    const QMap<QString, int> rank{
        {QStringLiteral("common"), 0},   {QStringLiteral("formats"), 0},  {QStringLiteral("config"), 1},
        {QStringLiteral("scraping"), 1}, {QStringLiteral("signals"), 2},  {QStringLiteral("sim"), 2},
        {QStringLiteral("store"), 3},    {QStringLiteral("analysis"), 3}, {QStringLiteral("ingest"), 4},
        {QStringLiteral("issues"), 5},   {QStringLiteral("session"), 5},  {QStringLiteral("diagnose"), 3},
        {QStringLiteral("triage"), 6},   {QStringLiteral("record"), 7},
    };
    const QDir core(QStringLiteral(GOTRIAGE_TEST_DATA "/../../core"));
    const QRegularExpression include(QStringLiteral("^#include \"([a-z]+)/"), QRegularExpression::MultilineOption);
    QStringList wrong;
    for (const QString &folder : core.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QVERIFY2(rank.contains(folder),
                 qPrintable(folder + QStringLiteral(": a new core folder needs its layer here")));
        QDirIterator it(core.filePath(folder), {QStringLiteral("*.cpp"), QStringLiteral("*.h")}, QDir::Files);
        while (it.hasNext()) {
            const QString path = it.next();
            QFile file(path);
            QVERIFY(file.open(QIODevice::ReadOnly));
            for (auto m = include.globalMatch(QString::fromUtf8(file.readAll())); m.hasNext();) {
                const QString target = m.next().captured(1);
                if (target == folder)
                    continue;
                if (!rank.contains(target) || rank[target] >= rank[folder])
                    wrong << QStringLiteral("%1 includes %2/").arg(core.relativeFilePath(path), target);
            }
        }
    }
    QVERIFY2(wrong.isEmpty(), qPrintable(wrong.join(u'\n')));
}

QTEST_GUILESS_MAIN(TestLayers)
#include "tst_layers.moc"
