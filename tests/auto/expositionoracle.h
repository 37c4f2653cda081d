#pragma once

// An oracle for tests that check the vitals deriver: sums a family's samples
// straight from exposition text with a regular expression, sharing no code
// with the parser it checks.
#include <QByteArray>
#include <QRegularExpression>
#include <QString>

namespace gotriage::testing {

// The sum of `family`'s samples whose label text matches `labelFilter`
// (all of them when it is empty).
inline double familySum(const QByteArray &text, const QString &family, const QString &labelFilter = {})
{
    double sum = 0;
    const QRegularExpression line(QStringLiteral("^%1\\{([^}]*)\\} (\\S+)$").arg(family),
                                  QRegularExpression::MultilineOption);
    const QRegularExpression filter(labelFilter);
    for (auto it = line.globalMatch(QString::fromUtf8(text)); it.hasNext();) {
        const auto m = it.next();
        if (labelFilter.isEmpty() || filter.match(m.captured(1)).hasMatch())
            sum += m.captured(2).toDouble();
    }
    return sum;
}

} // namespace gotriage::testing
