// What keeps the GUI thread's frames short at 2 000 services, and what
// names the frames that are not: the cached text of table cells, the detail
// charts redrawn one per turn of the event loop, and the event ledger behind
// --measure.
#include "idlestep.h"
#include "measuredapplication.h"
#include "servicedetailview.h"
#include "store/seriesstore.h"
#include "textcelldelegate.h"

#include "qcp.h"

#include <QEventLoop>
#include <QImage>
#include <QPainter>
#include <QRegularExpression>
#include <QStandardItemModel>
#include <QTableView>
#include <QTest>
#include <QTimer>

#include <algorithm>

#include <time.h>

using gotriage::ui::IdleStep;
using gotriage::ui::MeasuredApplication;
using gotriage::ui::TextCellDelegate;

namespace {

// The bounding box of the pixels that differ from the cell's background.
QRect inkBox(const QImage &image, QRgb background)
{
    QRect box;
    for (int y = 0; y < image.height(); ++y)
        for (int x = 0; x < image.width(); ++x)
            if (image.pixel(x, y) != background)
                box |= QRect(x, y, 1, 1);
    return box;
}

// One cell of `view` painted by `delegate` into an image of its own.
QImage paintCell(QTableView &view, QAbstractItemDelegate &delegate, const QModelIndex &index, QSize size)
{
    QImage image(size, QImage::Format_RGB32);
    image.fill(Qt::white);
    QPainter painter(&image);
    QStyleOptionViewItem option;
    option.initFrom(&view);
    option.widget = &view;
    option.rect = QRect(QPoint(0, 0), size);
    option.state = QStyle::State_Enabled | QStyle::State_Active;
    option.palette.setColor(QPalette::Base, Qt::white);
    option.palette.setColor(QPalette::Window, Qt::white);
    option.palette.setColor(QPalette::Text, Qt::black);
    option.showDecorationSelected = true;
    delegate.paint(&painter, option, index);
    return image;
}

// Spends `ms` of CPU time in its event handler.
class Busy : public QObject
{
public:
    explicit Busy(int ms) : m_ms(ms) { setObjectName(QStringLiteral("busy")); }
    bool event(QEvent *event) override
    {
        if (event->type() != QEvent::User)
            return QObject::event(event);
        // By the thread's CPU time, as the ledger counts: on a loaded
        // machine a wall-clock spin gets a third of it.
        const auto cpuMs = [] {
            timespec now{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
            return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
        };
        const double start = cpuMs();
        volatile double x = 1;
        while (cpuMs() - start < m_ms)
            x = x * 1.000001 + 1e-9;
        return true;
    }

private:
    int m_ms;
};

} // namespace

class TestGuiCost : public QObject
{
    Q_OBJECT

private slots:
    void cellTextLandsWhereTheStylePutsIt_data();
    void cellTextLandsWhereTheStylePutsIt();
    void aNarrowCellElidesAndStaysInside();
    void theLedgerNamesTheSlowestEvent();
    void theLedgerNamesTheDearestTurn();
    void timersRunBetweenIdleSteps_data();
    void timersRunBetweenIdleSteps();
    void detailChartsAreRedrawnOnePerTurn();
};

void TestGuiCost::cellTextLandsWhereTheStylePutsIt_data()
{
    QTest::addColumn<int>("alignment");
    QTest::newRow("left") << int(Qt::AlignLeft | Qt::AlignVCenter);
    QTest::newRow("right") << int(Qt::AlignRight | Qt::AlignVCenter);
    QTest::newRow("centre") << int(Qt::AlignHCenter | Qt::AlignVCenter);
}

void TestGuiCost::cellTextLandsWhereTheStylePutsIt()
{
    QFETCH(int, alignment);
    QStandardItemModel model(1, 1);
    auto *item = new QStandardItem(QStringLiteral("checkout-api-17 18.0 MiB"));
    item->setTextAlignment(Qt::Alignment(alignment));
    model.setItem(0, 0, item);
    QTableView view;
    view.setModel(&model);
    const QModelIndex index = model.index(0, 0);
    const QSize size(300, 28);

    QStyledItemDelegate style;
    TextCellDelegate cached;
    const QRect byStyle = inkBox(paintCell(view, style, index, size), qRgb(255, 255, 255));
    QVERIFY(!byStyle.isEmpty());
    // Twice: the second paint is from the cache.
    for (int pass = 0; pass < 2; ++pass) {
        const QRect byCache = inkBox(paintCell(view, cached, index, size), qRgb(255, 255, 255));
        QVERIFY2(std::abs(byCache.left() - byStyle.left()) <= 2 && std::abs(byCache.right() - byStyle.right()) <= 2
                     && std::abs(byCache.center().y() - byStyle.center().y()) <= 2,
                 qPrintable(QStringLiteral("style drew the text at %1,%2 %3x%4, the cache at %5,%6 %7x%8")
                                .arg(byStyle.x())
                                .arg(byStyle.y())
                                .arg(byStyle.width())
                                .arg(byStyle.height())
                                .arg(byCache.x())
                                .arg(byCache.y())
                                .arg(byCache.width())
                                .arg(byCache.height())));
    }
}

void TestGuiCost::aNarrowCellElidesAndStaysInside()
{
    QStandardItemModel model(1, 1);
    model.setItem(0, 0, new QStandardItem(QStringLiteral("a-service-name-far-too-long-for-its-column")));
    QTableView view;
    view.setModel(&model);
    TextCellDelegate cached;
    const QSize narrow(80, 28);
    const QImage image = paintCell(view, cached, model.index(0, 0), narrow);
    const QRect ink = inkBox(image, qRgb(255, 255, 255));
    QVERIFY(!ink.isEmpty());
    QVERIFY2(ink.right() < narrow.width() - 1, "the text stays inside its cell");
    // The full text would take far more than the cell: what was drawn was elided.
    const QFontMetrics metrics(view.font());
    QVERIFY(metrics.horizontalAdvance(model.item(0, 0)->text()) > 2 * narrow.width());
    // Rounded up from the laid-out width, where the metrics round to nearest.
    const int cachedWidth = cached.textWidth(model.item(0, 0)->text(), view.font());
    const int advance = metrics.horizontalAdvance(model.item(0, 0)->text());
    QVERIFY2(cachedWidth >= advance && cachedWidth <= advance + 1,
             qPrintable(QStringLiteral("cached width %1, metrics %2").arg(cachedWidth).arg(advance)));
    // The same cell again, from the cache: the same pixels.
    QCOMPARE(paintCell(view, cached, model.index(0, 0), narrow), image);
}

void TestGuiCost::theLedgerNamesTheSlowestEvent()
{
    auto *app = static_cast<MeasuredApplication *>(QCoreApplication::instance());
    Busy quick(2), slow(30);
    app->startTiming();
    QCoreApplication::postEvent(&quick, new QEvent(QEvent::User));
    QCoreApplication::postEvent(&slow, new QEvent(QEvent::User));
    QCoreApplication::sendPostedEvents();
    const QString slowest = app->slowestEvents(1);
    QVERIFY2(slowest.startsWith(QLatin1String("QObject#busy User: max ")), qPrintable(slowest));
    // At least the 30 ms the handler spent (CPU time; its wall time beside).
    const double ms = slowest.section(QLatin1String("max "), 1).section(u' ', 0, 0).toDouble();
    QVERIFY2(ms >= 25 && ms < 1000, qPrintable(slowest));
    QVERIFY2(slowest.contains(QLatin1String("1 of 8 ms or more")), qPrintable(slowest));
}

void TestGuiCost::theLedgerNamesTheDearestTurn()
{
    // Three events of 6 ms each, none slow alone, run back to back in one
    // pass of the loop: an 18 ms stall that only the turn's account shows.
    auto *app = static_cast<MeasuredApplication *>(QCoreApplication::instance());
    app->startTiming();
    Busy first(6), second(6), third(6), later(2);
    later.setObjectName(QStringLiteral("later"));
    first.setObjectName(QStringLiteral("first"));
    second.setObjectName(QStringLiteral("second"));
    third.setObjectName(QStringLiteral("third"));
    QEventLoop loop;
    QTimer::singleShot(0, &loop, [&] {
        for (Busy *busy : {&first, &second, &third})
            QCoreApplication::postEvent(busy, new QEvent(QEvent::User));
    });
    // In a pass of its own: not part of the first one's account.
    QTimer::singleShot(100, &loop, [&] { QCoreApplication::postEvent(&later, new QEvent(QEvent::User)); });
    QTimer::singleShot(200, &loop, &QEventLoop::quit);
    loop.exec();
    const QString turn = app->longestTurn(6);
    const double ms = turn.section(u' ', 0, 0).toDouble();
    QVERIFY2(ms >= 17 && ms < 1000, qPrintable(turn));
    for (const char *name : {"QObject#first User", "QObject#second User", "QObject#third User"})
        QVERIFY2(turn.contains(QLatin1String(name)), qPrintable(turn));
    QVERIFY2(!turn.contains(QLatin1String("later")), qPrintable(turn));
    // Named dearest first, each with its own cost.
    QVERIFY2(QRegularExpression(QStringLiteral(R"(: QObject#\w+ User [0-9.]+ ms, )")).match(turn).hasMatch(),
             qPrintable(turn));
}

namespace {

// Spends `ms` of this thread's CPU time.
void spin(double ms)
{
    Busy busy(static_cast<int>(ms));
    QEvent event(QEvent::User);
    busy.event(&event);
}

} // namespace

void TestGuiCost::timersRunBetweenIdleSteps_data()
{
    QTest::addColumn<bool>("idleSteps");
    QTest::newRow("idle steps") << true;
    QTest::newRow("queued calls") << false;
}

void TestGuiCost::timersRunBetweenIdleSteps()
{
    // Ten steps of 3 ms, each scheduling the next, and a 1 ms timer that
    // stands for the refresh, the frame update and the stall probe.
    QFETCH(bool, idleSteps);
    constexpr int kSteps = 10;
    int stepsRun = 0;
    int ticks = 0;
    int ticksDuringChain = 0;
    QObject context;
    std::function<void()> next;
    IdleStep step(&context, QStringLiteral("step"), [&] { next(); });
    next = [&] {
        spin(3);
        if (++stepsRun == kSteps)
            return;
        if (idleSteps)
            step.schedule();
        else
            QMetaObject::invokeMethod(
                &context, [&] { next(); }, Qt::QueuedConnection);
    };
    QTimer other;
    other.setTimerType(Qt::PreciseTimer);
    other.setInterval(1);
    connect(&other, &QTimer::timeout, &context, [&] {
        ++ticks;
        if (stepsRun > 0 && stepsRun < kSteps)
            ++ticksDuringChain;
    });
    other.start();
    QTest::qWait(20); // the timer under way
    step.schedule();
    QTRY_COMPARE_WITH_TIMEOUT(stepsRun, kSteps, 5000);
    QTest::qWait(20);
    QVERIFY(ticks > 0);
    // Between two idle steps the due timer runs; chained through queued
    // calls, only after every second step.
    const int gaps = kSteps - 1;
    if (idleSteps)
        QVERIFY2(ticksDuringChain >= gaps - 1, qPrintable(QString::number(ticksDuringChain)));
    else
        QVERIFY2(ticksDuringChain <= (gaps + 1) / 2, qPrintable(QString::number(ticksDuringChain)));
}

int main(int argc, char **argv)
{
    MeasuredApplication app(argc, argv);
    TestGuiCost test;
    return QTest::qExec(&test, argc, argv);
}

void TestGuiCost::detailChartsAreRedrawnOnePerTurn()
{
    using gotriage::ui::ServiceDetailView;
    gotriage::store::SeriesStore history;
    const qint64 start = 1'790'000'000'000;
    for (qint64 i = 0; i < 600; ++i) {
        gotriage::vitals::VitalsSample sample;
        sample.tsMs = start + i * 1000;
        sample[gotriage::vitals::Vital::Cpu] = 0.5 + static_cast<double>(i % 7) / 10;
        sample[gotriage::vitals::Vital::Goroutines] = 100 + static_cast<double>(i);
        history.append(QStringLiteral("svc"), sample);
    }
    ServiceDetailView detail(&history);
    detail.resize(1200, 800);
    detail.show();
    QVERIFY(QTest::qWaitForWindowExposed(&detail));
    detail.setService(QStringLiteral("svc"), {});
    QTest::qWait(100); // the redraws that showing the view asked for
    int redrawn = 0;
    for (int c = 0; c < ServiceDetailView::ChartCount; ++c)
        connect(detail.chart(static_cast<ServiceDetailView::Chart>(c))->plot(), &QCustomPlot::afterReplot, this,
                [&redrawn] { ++redrawn; });

    detail.refresh(start + 600 * 1000);
    // One pass of the event loop at a time.
    int turns = 0;
    int mostInATurn = 0;
    while (redrawn < ServiceDetailView::ChartCount && turns < 4 * ServiceDetailView::ChartCount) {
        const int before = redrawn;
        QCoreApplication::processEvents();
        mostInATurn = std::max(mostInATurn, redrawn - before);
        ++turns;
    }
    QCOMPARE(redrawn, int(ServiceDetailView::ChartCount));
    QCOMPARE(mostInATurn, 1);
    QVERIFY2(turns >= ServiceDetailView::ChartCount, qPrintable(QString::number(turns)));
    QVERIFY(detail.chart(ServiceDetailView::GoroutinesChart)->pointCount(0) > 0);
}

#include "tst_guicost.moc"
