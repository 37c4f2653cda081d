#include "exporter.h"

#include "record/recordingcursor.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QSaveFile>

#include <charconv>
#include <cmath>

namespace gotriage::record {

namespace {

constexpr qint64 kSliceMs = 3'600'000; // an hour of samples per read

// The shortest text that reads back as the same double.
void appendNumber(QByteArray &out, double value)
{
    char text[32];
    const auto [end, ec] = std::to_chars(text, text + sizeof text, value);
    out.append(text, ec == std::errc() ? end - text : 0);
}

QByteArray escapedLabel(const QString &value)
{
    QByteArray out;
    for (const char c : value.toUtf8()) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

class Output
{
public:
    Output(QIODevice &device, ExportStats *stats, QString *error) : m_device(device), m_stats(stats), m_error(error) { }
    QByteArray buffer;
    // Writes the buffer when it is large (or at the end); false on a write error.
    bool flush(bool force = false)
    {
        if (!force && buffer.size() < (1 << 20))
            return true;
        if (m_device.write(buffer) != buffer.size()) {
            if (m_error)
                *m_error = QStringLiteral("writing the export: %1").arg(m_device.errorString());
            return false;
        }
        if (m_stats)
            m_stats->bytes += buffer.size();
        buffer.clear();
        return true;
    }

private:
    QIODevice &m_device;
    ExportStats *m_stats;
    QString *m_error;
};

} // namespace

QString openMetricsName(const QString &series)
{
    QString name = QStringLiteral("gotriage_") + series;
    for (QChar &c : name) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_')
            c = u'_';
    }
    return name;
}

bool exportOpenMetrics(const RecordingReader &reader, qint64 fromMs, qint64 toMs, QIODevice &out, ExportStats *stats,
                       QString *error)
{
    Output output(out, stats, error);
    const std::vector<config::ServiceConfig> services = recordedServices(reader);
    // Every series any service recorded, in the order first seen.
    QStringList families;
    for (const config::ServiceConfig &service : services) {
        for (const QString &column : reader.columns(service.name)) {
            if (!families.contains(column))
                families << column;
        }
    }
    QStringList problems;
    for (const QString &family : families) {
        const QByteArray name = openMetricsName(family).toUtf8();
        output.buffer += "# TYPE " + name + " gauge\n";
        for (const config::ServiceConfig &service : services) {
            const int column = static_cast<int>(reader.columns(service.name).indexOf(family));
            if (column < 0)
                continue;
            const QByteArray labels = name + "{service=\"" + escapedLabel(service.name) + "\",tier=\""
                + escapedLabel(config::tierName(service.tier)) + "\"} ";
            for (qint64 from = fromMs; from <= toMs; from += kSliceMs) {
                const SampleBlock block
                    = reader.samples(service.name, from, std::min(toMs, from + kSliceMs - 1), &problems);
                const std::vector<double> &values = block.columns[static_cast<std::size_t>(column)];
                for (std::size_t i = 0; i < block.timesMs.size(); ++i) {
                    if (!std::isfinite(values[i]))
                        continue;
                    output.buffer += labels;
                    appendNumber(output.buffer, values[i]);
                    output.buffer += ' ';
                    // Seconds, to the millisecond: exact in decimal.
                    const qint64 t = block.timesMs[i];
                    output.buffer += QByteArray::number(t / 1000) + '.'
                        + QByteArray::number(t % 1000).rightJustified(3, '0') + '\n';
                    if (stats)
                        ++stats->samples;
                }
                if (!output.flush())
                    return false;
            }
        }
    }
    output.buffer += "# EOF\n";
    if (!problems.isEmpty() && error)
        *error = problems.join(u'\n');
    return output.flush(true) && problems.isEmpty();
}

bool exportCsv(const RecordingReader &reader, qint64 fromMs, qint64 toMs, QIODevice &out, ExportStats *stats,
               QString *error)
{
    Output output(out, stats, error);
    const std::vector<config::ServiceConfig> services = recordedServices(reader);
    QStringList header;
    for (const config::ServiceConfig &service : services) {
        for (const QString &column : reader.columns(service.name)) {
            if (!header.contains(column))
                header << column;
        }
    }
    output.buffer += "ts_ms,service," + header.join(u',').toUtf8() + '\n';
    QStringList problems;
    for (const config::ServiceConfig &service : services) {
        const QStringList columns = reader.columns(service.name);
        std::vector<int> at; // header position → the service's column, or -1
        for (const QString &h : header)
            at.push_back(static_cast<int>(columns.indexOf(h)));
        // A name with a comma or a quote is quoted, as RFC 4180 says.
        QByteArray name = service.name.toUtf8();
        if (name.contains(',') || name.contains('"') || name.contains('\n'))
            name = '"' + name.replace("\"", "\"\"") + '"';
        for (qint64 from = fromMs; from <= toMs; from += kSliceMs) {
            const SampleBlock block
                = reader.samples(service.name, from, std::min(toMs, from + kSliceMs - 1), &problems);
            for (std::size_t i = 0; i < block.timesMs.size(); ++i) {
                output.buffer += QByteArray::number(block.timesMs[i]) + ',' + name;
                for (int c : at) {
                    output.buffer += ',';
                    if (c >= 0 && std::isfinite(block.columns[static_cast<std::size_t>(c)][i]))
                        appendNumber(output.buffer, block.columns[static_cast<std::size_t>(c)][i]);
                }
                output.buffer += '\n';
                if (stats)
                    ++stats->samples;
            }
            if (!output.flush())
                return false;
        }
    }
    if (!problems.isEmpty() && error)
        *error = problems.join(u'\n');
    return output.flush(true) && problems.isEmpty();
}

QString captureFileName(const StoredBlob &capture)
{
    // Go serves every profile gzipped; what is not is a dump's text.
    const bool gzipped = capture.data.startsWith("\x1f\x8b");
    const bool text = !gzipped && capture.data.startsWith("goroutine ");
    QString base = QStringLiteral("%1-%2-%3")
                       .arg(capture.service, capture.kind,
                            QDateTime::fromMSecsSinceEpoch(capture.tsMs, Qt::UTC)
                                .toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")));
    for (QChar &c : base) {
        if (!c.isLetterOrNumber() && c != u'-' && c != u'_' && c != u'.')
            c = u'_';
    }
    return base + (gzipped ? QStringLiteral(".pb.gz") : text ? QStringLiteral(".txt") : QStringLiteral(".pb"));
}

bool exportCaptures(const RecordingReader &reader, qint64 fromMs, qint64 toMs, const QString &dir, QStringList *written,
                    ExportStats *stats, QString *error)
{
    if (!QDir().mkpath(dir)) {
        if (error)
            *error = QStringLiteral("%1: cannot make the folder").arg(dir);
        return false;
    }
    QStringList problems;
    for (const RecordingReader::BlobInfo &info : reader.blobs()) {
        if (info.tsMs < fromMs || info.tsMs > toMs)
            continue;
        QString why;
        const std::optional<StoredBlob> capture = reader.blob(info.id, &why);
        if (!capture) {
            problems << why;
            continue;
        }
        // Two captures of one kind in the same second get numbered names.
        const QString name = captureFileName(*capture);
        QString path = QDir(dir).filePath(name);
        for (int n = 2; QFileInfo::exists(path); ++n) {
            const qsizetype dot = name.indexOf(u'.');
            path = QDir(dir).filePath(name.left(dot) + QStringLiteral("-%1").arg(n) + name.mid(dot));
        }
        QSaveFile file(path);
        if (!file.open(QIODevice::WriteOnly) || file.write(capture->data) != capture->data.size() || !file.commit()) {
            problems << QStringLiteral("%1: %2").arg(path, file.errorString());
            continue;
        }
        if (written)
            *written << path;
        if (stats) {
            ++stats->samples;
            stats->bytes += capture->data.size();
        }
    }
    if (error && !problems.isEmpty())
        *error = problems.join(u'\n');
    return problems.isEmpty();
}

} // namespace gotriage::record
