// StrokeBuffer: what one brush stroke needs while it lasts: the mask's pixels as they were
// before the stroke and the stroke's coverage, both kept in 64x64 tiles touched by the stroke.
#pragma once

#include <QRect>

#include <array>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace lbui {

class MaskDocument;

class StrokeBuffer {
public:
    static constexpr int kTile = 64;

    explicit StrokeBuffer(MaskDocument* doc) : doc_(doc) {}
    MaskDocument* document() const { return doc_; }

    // Makes sure every tile over `rect` exists, copying the document's pixels as "before".
    void touch(const QRect& rect);
    // Valid only inside touched tiles.
    float before(int x, int y) const { return tile(x, y).before[index(x, y)]; }
    float& coverage(int x, int y) { return tile(x, y).coverage[index(x, y)]; }
    // The pre-stroke value: from the tiles where touched, else the document's current value.
    float beforeOrCurrent(int x, int y) const;

    std::size_t tileCount() const { return tiles_.size(); }

private:
    struct Tile {
        std::array<float, kTile * kTile> before;
        std::array<float, kTile * kTile> coverage;
    };
    static std::uint64_t key(int tx, int ty) {
        return (std::uint64_t(std::uint32_t(ty)) << 32) | std::uint32_t(tx);
    }
    static int index(int x, int y) { return (y % kTile) * kTile + (x % kTile); }
    Tile& tile(int x, int y) const { return *tiles_.at(key(x / kTile, y / kTile)); }

    MaskDocument* doc_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Tile>> tiles_;
};

} // namespace lbui
