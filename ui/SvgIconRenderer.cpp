// SvgIconRenderer: a small SVG subset renderer for the project's icons. Anything outside the
// subset is ignored rather than guessed.
#include "SvgIconRenderer.h"

#include <QApplication>
#include <QFile>
#include <QHash>
#include <QPainter>
#include <QPainterPath>
#include <QPalette>
#include <QPixmap>
#include <QRegularExpression>
#include <QXmlStreamReader>

#include <cmath>
#include <optional>
#include <vector>

namespace lbui {

namespace {

struct Style {
    QString fill = QStringLiteral("black");
    QString stroke = QStringLiteral("none");
    double strokeWidth = 1.0;
    double fillOpacity = 1.0;
    double strokeOpacity = 1.0;
    double opacity = 1.0;
    Qt::PenCapStyle cap = Qt::FlatCap;
    Qt::PenJoinStyle join = Qt::MiterJoin;
    QList<qreal> dash;
};

double num(const QXmlStreamAttributes& a, const char* name, double fallback = 0.0) {
    const QStringView v = a.value(QLatin1String(name));
    bool ok = false;
    const double d = v.toDouble(&ok);
    return ok ? d : fallback;
}

void applyAttributes(const QXmlStreamAttributes& a, Style& s) {
    auto has = [&](const char* n) { return a.hasAttribute(QLatin1String(n)); };
    auto str = [&](const char* n) { return a.value(QLatin1String(n)).toString(); };
    if (has("fill")) s.fill = str("fill");
    if (has("stroke")) s.stroke = str("stroke");
    if (has("stroke-width")) s.strokeWidth = num(a, "stroke-width", 1.0);
    if (has("fill-opacity")) s.fillOpacity = num(a, "fill-opacity", 1.0);
    if (has("stroke-opacity")) s.strokeOpacity = num(a, "stroke-opacity", 1.0);
    if (has("opacity")) s.opacity *= num(a, "opacity", 1.0);
    if (has("stroke-linecap")) {
        const QString c = str("stroke-linecap");
        s.cap = c == QLatin1String("round")    ? Qt::RoundCap
                : c == QLatin1String("square") ? Qt::SquareCap
                                               : Qt::FlatCap;
    }
    if (has("stroke-linejoin")) {
        const QString j = str("stroke-linejoin");
        s.join = j == QLatin1String("round")   ? Qt::RoundJoin
                 : j == QLatin1String("bevel") ? Qt::BevelJoin
                                               : Qt::MiterJoin;
    }
    if (has("stroke-dasharray")) {
        s.dash.clear();
        const QString d = str("stroke-dasharray");
        for (const QString& part :
             d.split(QRegularExpression(QStringLiteral("[ ,]+")), Qt::SkipEmptyParts))
            s.dash.append(part.toDouble());
    }
}

std::optional<QColor> paint(const QString& spec, const QColor& current) {
    if (spec.isEmpty() || spec == QLatin1String("none")) return std::nullopt;
    if (spec == QLatin1String("currentColor")) return current;
    QColor c = QColor::fromString(spec);
    if (!c.isValid()) return std::nullopt;
    return c;
}

// Path data: M L H V C S Q T Z (absolute and relative); arcs are drawn as straight lines.
QPainterPath parsePath(const QString& d) {
    QPainterPath path;
    std::vector<double> nums;
    QChar cmd;
    QPointF cur, start, lastCtrl;
    QChar lastCmd;
    int i = 0;
    const int n = int(d.size());
    auto skip = [&] {
        while (i < n && (d[i].isSpace() || d[i] == QLatin1Char(',')))
            ++i;
    };
    auto readNumber = [&](double& out) -> bool {
        skip();
        if (i >= n) return false;
        const int startPos = i;
        if (d[i] == QLatin1Char('-') || d[i] == QLatin1Char('+')) ++i;
        bool dot = false, digits = false;
        while (i < n && (d[i].isDigit() || (!dot && d[i] == QLatin1Char('.')))) {
            if (d[i] == QLatin1Char('.'))
                dot = true;
            else
                digits = true;
            ++i;
        }
        if (i < n && (d[i] == QLatin1Char('e') || d[i] == QLatin1Char('E'))) {
            ++i;
            if (i < n && (d[i] == QLatin1Char('-') || d[i] == QLatin1Char('+'))) ++i;
            while (i < n && d[i].isDigit())
                ++i;
        }
        if (!digits) {
            i = startPos;
            return false;
        }
        out = d.mid(startPos, i - startPos).toDouble();
        return true;
    };
    while (true) {
        skip();
        if (i >= n) break;
        if (d[i].isLetter()) cmd = d[i++];
        const bool rel = cmd.isLower();
        const QChar c = cmd.toUpper();
        const QPointF base = rel ? cur : QPointF(0, 0);
        auto pt = [&](double x, double y) { return base + QPointF(x, y); };
        double v[7];
        auto read = [&](int count) {
            for (int k = 0; k < count; ++k)
                if (!readNumber(v[k])) return false;
            return true;
        };
        if (c == QLatin1Char('Z')) {
            path.closeSubpath();
            cur = start;
        } else if (c == QLatin1Char('M')) {
            if (!read(2)) break;
            cur = start = pt(v[0], v[1]);
            path.moveTo(cur);
            cmd = rel ? QLatin1Char('l') : QLatin1Char('L');
        } else if (c == QLatin1Char('L')) {
            if (!read(2)) break;
            cur = pt(v[0], v[1]);
            path.lineTo(cur);
        } else if (c == QLatin1Char('H')) {
            if (!read(1)) break;
            cur.setX(rel ? cur.x() + v[0] : v[0]);
            path.lineTo(cur);
        } else if (c == QLatin1Char('V')) {
            if (!read(1)) break;
            cur.setY(rel ? cur.y() + v[0] : v[0]);
            path.lineTo(cur);
        } else if (c == QLatin1Char('C')) {
            if (!read(6)) break;
            const QPointF c1 = pt(v[0], v[1]), c2 = pt(v[2], v[3]), e = pt(v[4], v[5]);
            path.cubicTo(c1, c2, e);
            lastCtrl = c2;
            cur = e;
        } else if (c == QLatin1Char('S')) {
            if (!read(4)) break;
            const QPointF c1 = (lastCmd == QLatin1Char('C') || lastCmd == QLatin1Char('S'))
                                   ? 2 * cur - lastCtrl
                                   : cur;
            const QPointF c2 = pt(v[0], v[1]), e = pt(v[2], v[3]);
            path.cubicTo(c1, c2, e);
            lastCtrl = c2;
            cur = e;
        } else if (c == QLatin1Char('Q')) {
            if (!read(4)) break;
            const QPointF c1 = pt(v[0], v[1]), e = pt(v[2], v[3]);
            path.quadTo(c1, e);
            lastCtrl = c1;
            cur = e;
        } else if (c == QLatin1Char('T')) {
            if (!read(2)) break;
            const QPointF c1 = (lastCmd == QLatin1Char('Q') || lastCmd == QLatin1Char('T'))
                                   ? 2 * cur - lastCtrl
                                   : cur;
            const QPointF e = pt(v[0], v[1]);
            path.quadTo(c1, e);
            lastCtrl = c1;
            cur = e;
        } else if (c == QLatin1Char('A')) {
            if (!read(7)) break;
            cur = pt(v[5], v[6]);
            path.lineTo(cur);
        } else {
            break; // unknown command
        }
        lastCmd = c;
    }
    return path;
}

QPainterPath parsePoints(const QString& points, bool close) {
    QPainterPath path;
    const QStringList parts =
        points.split(QRegularExpression(QStringLiteral("[ ,]+")), Qt::SkipEmptyParts);
    for (int k = 0; k + 1 < parts.size(); k += 2) {
        const QPointF p(parts[k].toDouble(), parts[k + 1].toDouble());
        if (k == 0)
            path.moveTo(p);
        else
            path.lineTo(p);
    }
    if (close) path.closeSubpath();
    return path;
}

void drawShape(QPainter& p, const QPainterPath& shape, const Style& s, const QColor& current) {
    if (auto fill = paint(s.fill, current)) {
        QColor c = *fill;
        c.setAlphaF(float(c.alphaF() * s.fillOpacity * s.opacity));
        p.fillPath(shape, c);
    }
    if (auto stroke = paint(s.stroke, current)) {
        QColor c = *stroke;
        c.setAlphaF(float(c.alphaF() * s.strokeOpacity * s.opacity));
        QPen pen(c, s.strokeWidth, Qt::SolidLine, s.cap, s.join);
        if (!s.dash.isEmpty() && s.strokeWidth > 0) {
            QList<qreal> pattern;
            for (qreal d : s.dash)
                pattern.append(d / s.strokeWidth);
            if (pattern.size() % 2) pattern += pattern;
            pen.setDashPattern(pattern);
        }
        p.strokePath(shape, pen);
    }
}

} // namespace

QImage SvgIconRenderer::render(const QByteArray& svg, int size, const QColor& color) {
    QImage image(size, size, QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::transparent);
    QPainter p(&image);
    p.setRenderHint(QPainter::Antialiasing, true);
    QXmlStreamReader xml(svg);
    std::vector<Style> styles{Style{}};
    while (!xml.atEnd()) {
        const auto token = xml.readNext();
        if (token == QXmlStreamReader::EndElement) {
            if (styles.size() > 1) styles.pop_back();
            continue;
        }
        if (token != QXmlStreamReader::StartElement) continue;
        const QXmlStreamAttributes a = xml.attributes();
        Style s = styles.back();
        applyAttributes(a, s);
        styles.push_back(s);
        const QStringView name = xml.name();
        QPainterPath shape;
        if (name == QLatin1String("svg")) {
            const QStringList vb =
                a.value(QLatin1String("viewBox"))
                    .toString()
                    .split(QRegularExpression(QStringLiteral("[ ,]+")), Qt::SkipEmptyParts);
            if (vb.size() == 4) {
                const double w = vb[2].toDouble(), h = vb[3].toDouble();
                if (w > 0 && h > 0) {
                    p.scale(size / w, size / h);
                    p.translate(-vb[0].toDouble(), -vb[1].toDouble());
                }
            }
            continue;
        }
        if (name == QLatin1String("path")) {
            shape = parsePath(a.value(QLatin1String("d")).toString());
        } else if (name == QLatin1String("circle")) {
            const double r = num(a, "r");
            shape.addEllipse(QPointF(num(a, "cx"), num(a, "cy")), r, r);
        } else if (name == QLatin1String("ellipse")) {
            shape.addEllipse(QPointF(num(a, "cx"), num(a, "cy")), num(a, "rx"), num(a, "ry"));
        } else if (name == QLatin1String("rect")) {
            const QRectF r(num(a, "x"), num(a, "y"), num(a, "width"), num(a, "height"));
            const double rx = num(a, "rx", num(a, "ry"));
            if (rx > 0)
                shape.addRoundedRect(r, rx, num(a, "ry", rx));
            else
                shape.addRect(r);
        } else if (name == QLatin1String("line")) {
            shape.moveTo(num(a, "x1"), num(a, "y1"));
            shape.lineTo(num(a, "x2"), num(a, "y2"));
        } else if (name == QLatin1String("polyline") || name == QLatin1String("polygon")) {
            shape = parsePoints(a.value(QLatin1String("points")).toString(),
                                name == QLatin1String("polygon"));
        } else {
            continue;
        }
        drawShape(p, shape, s, color);
    }
    return image;
}

namespace {

QByteArray readIconFile(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    return f.readAll();
}

QIcon buildIcon(const QByteArray& svg, const QColor& normal, const QColor& disabled) {
    QIcon icon;
    for (int size : {16, 20, 24, 32, 48, 64}) {
        icon.addPixmap(QPixmap::fromImage(SvgIconRenderer::render(svg, size, normal)),
                       QIcon::Normal);
        icon.addPixmap(QPixmap::fromImage(SvgIconRenderer::render(svg, size, disabled)),
                       QIcon::Disabled);
    }
    return icon;
}

} // namespace

QIcon themeIcon(const QString& name) {
    static QHash<QString, QIcon> cache;
    const QPalette pal = QApplication::palette();
    const QColor normal = pal.color(QPalette::Active, QPalette::WindowText);
    const QString key = name + normal.name();
    auto it = cache.find(key);
    if (it != cache.end()) return *it;
    QColor disabled = normal;
    disabled.setAlphaF(0.35f);
    const QByteArray svg = readIconFile(QStringLiteral(":/icons/%1.svg").arg(name));
    QIcon icon = svg.isEmpty() ? QIcon() : buildIcon(svg, normal, disabled);
    cache.insert(key, icon);
    return icon;
}

QIcon appIcon() {
    const QByteArray svg = readIconFile(QStringLiteral(":/icons/latentbrush.svg"));
    if (svg.isEmpty()) return {};
    QIcon icon;
    for (int size : {16, 24, 32, 48, 64, 128, 256})
        icon.addPixmap(QPixmap::fromImage(SvgIconRenderer::render(svg, size, Qt::white)));
    return icon;
}

} // namespace lbui
