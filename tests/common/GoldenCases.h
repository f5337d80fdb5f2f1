// The golden cases of ../shared/golden (one folder each: case.json naming the inputs and the VAE,
// expected.safetensors with the reference's pixels and samples), read the same way by every suite
// that checks against them.
#pragma once

#include "TestSupport.h"

#include "latentbrush/Safetensors.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <cstring>
#include <utility>
#include <vector>

namespace lbtest {

// <shared>/golden.
inline QString goldenDir() {
    return sharedDir() + QStringLiteral("/golden");
}

// The case's case.json; empty when it cannot be read.
inline QJsonObject readGoldenCase(const QString& caseDir) {
    QFile f(caseDir + QStringLiteral("/case.json"));
    if (!f.open(QIODevice::ReadOnly)) return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

// The cases that encode (case.json names a VAE) as (name, folder), sorted by name.
inline std::vector<std::pair<QString, QString>> goldenEncodeCases() {
    std::vector<std::pair<QString, QString>> cases;
    const QString golden = goldenDir();
    for (const QString& name :
         QDir(golden).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        const QString dir = golden + QLatin1Char('/') + name;
        if (readGoldenCase(dir).contains(QStringLiteral("vae"))) cases.emplace_back(name, dir);
    }
    return cases;
}

// case.json's "vae": "shared:models/x" is relative to shared/, "vae/x.safetensors" to golden/
// (the case folder's parent).
inline QString goldenVaePath(const QString& caseDir, const QString& vae) {
    if (vae.startsWith(QStringLiteral("shared:")))
        return sharedDir() + QLatin1Char('/') + vae.mid(7);
    return QFileInfo(caseDir).absolutePath() + QLatin1Char('/') + vae;
}

// A stored tensor's values (zeros unless it is F32).
inline std::vector<float> tensorFloats(const lb::TensorView& t) {
    std::vector<float> out(std::size_t(t.numel()));
    if (t.dtype == lb::DType::F32) std::memcpy(out.data(), t.data, out.size() * sizeof(float));
    return out;
}

} // namespace lbtest
