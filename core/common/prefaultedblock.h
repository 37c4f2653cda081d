#pragma once

#include <cstddef>

namespace gotriage::common {

// Zeroed memory whose pages are all present when it is made, mapped in one
// call instead of faulted in one page at a time on first write. Thousands of
// small rings allocated whole at start-up (a fleet of analyses) cost one
// page fault per 4 KiB otherwise, and a fault is dear in a virtual machine:
// 11 µs here against 0.6 µs a page populated in bulk (docs/performance.md).
// Under AddressSanitizer it is plain heap memory, so overruns stay caught.
class PrefaultedBlock
{
public:
    PrefaultedBlock() = default;
    // Throws std::bad_alloc when the memory cannot be had.
    explicit PrefaultedBlock(std::size_t bytes);
    ~PrefaultedBlock();
    PrefaultedBlock(PrefaultedBlock &&other) noexcept;
    PrefaultedBlock &operator=(PrefaultedBlock &&other) noexcept;
    PrefaultedBlock(const PrefaultedBlock &) = delete;
    PrefaultedBlock &operator=(const PrefaultedBlock &) = delete;

    void *data() const { return m_data; }
    std::size_t size() const { return m_size; }

private:
    void release() noexcept;

    void *m_data = nullptr;
    std::size_t m_size = 0; // what was asked for
    std::size_t m_mapped = 0; // what was mapped, whole pages (0: from the heap)
};

} // namespace gotriage::common
