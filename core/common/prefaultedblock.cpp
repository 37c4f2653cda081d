#include "prefaultedblock.h"

#include <cstdlib>
#include <new>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#define GOTRIAGE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GOTRIAGE_ASAN 1
#endif
#endif

#if defined(__linux__) && !defined(GOTRIAGE_ASAN)
#include <sys/mman.h>
#include <unistd.h>
#define GOTRIAGE_PREFAULT 1
#endif

namespace gotriage::common {

PrefaultedBlock::PrefaultedBlock(std::size_t bytes) : m_size(bytes)
{
    if (bytes == 0)
        return;
#if defined(GOTRIAGE_PREFAULT)
    const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    const std::size_t mapped = (bytes + page - 1) / page * page;
    void *p = mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    if (p != MAP_FAILED) {
        m_data = p;
        m_mapped = mapped;
        return;
    }
    // Out of mappings (vm.max_map_count) rather than memory, most likely:
    // the heap still has room.
#endif
    m_data = std::calloc(1, bytes);
    if (!m_data)
        throw std::bad_alloc();
}

PrefaultedBlock::~PrefaultedBlock()
{
    release();
}

PrefaultedBlock::PrefaultedBlock(PrefaultedBlock &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
    , m_mapped(std::exchange(other.m_mapped, 0))
{ }

PrefaultedBlock &PrefaultedBlock::operator=(PrefaultedBlock &&other) noexcept
{
    if (this != &other) {
        release();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_mapped = std::exchange(other.m_mapped, 0);
    }
    return *this;
}

void PrefaultedBlock::release() noexcept
{
    if (!m_data)
        return;
#if defined(GOTRIAGE_PREFAULT)
    if (m_mapped != 0)
        munmap(m_data, m_mapped);
    else
        std::free(m_data);
#else
    std::free(m_data);
#endif
    m_data = nullptr;
}

} // namespace gotriage::common
