#pragma once

#include <QFile>
#include <QString>
#include <QTest>

#include <string>

// Reads a file below tests/data; fails the running test when it is missing.
inline std::string readTestData(const QString &relativePath)
{
    QFile file(QStringLiteral(GOTRIAGE_TEST_DATA "/") + relativePath);
    if (!file.open(QIODevice::ReadOnly)) {
        QTest::qFail(qPrintable(QStringLiteral("cannot read test data %1").arg(file.fileName())), __FILE__, __LINE__);
        return {};
    }
    return file.readAll().toStdString();
}

inline QString testDataPath(const QString &relativePath)
{
    return QStringLiteral(GOTRIAGE_TEST_DATA "/") + relativePath;
}
