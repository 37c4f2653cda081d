// A recording's sample blocks, as a damaged or hostile file would hold
// them: decoding never reads past the input or allocates what the input
// cannot hold, and a block that decodes encodes back to the same samples.
#include "record/chunkcodec.h"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace gotriage::record;
    const QByteArray bytes(reinterpret_cast<const char *>(data), static_cast<qsizetype>(size));
    QString error;
    const std::optional<SampleBlock> block = decodeBlock(bytes, &error);
    if (!block) {
        if (error.isEmpty())
            std::abort(); // a refusal says why
        return 0;
    }
    for (const std::vector<double> &column : block->columns) {
        if (column.size() != block->timesMs.size())
            std::abort();
    }
    const std::optional<SampleBlock> again = decodeBlock(encodeBlock(*block), &error);
    if (!again || again->timesMs != block->timesMs || again->columns.size() != block->columns.size())
        std::abort();
    for (std::size_t c = 0; c < block->columns.size(); ++c) {
        for (std::size_t i = 0; i < block->timesMs.size(); ++i) {
            if (std::bit_cast<std::uint64_t>(again->columns[c][i])
                != std::bit_cast<std::uint64_t>(block->columns[c][i]))
                std::abort();
        }
    }
    return 0;
}
