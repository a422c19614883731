/* Test-only stand-in for Windows' bcryptprimitives.dll, which Wine 8.0 lacks and every Windows 10+
 * has. Rust's standard library (1.78+) imports ProcessPrng from it; this fills the buffer from
 * RtlGenRandom (advapi32's SystemFunction036), as the real ProcessPrng fills it from the system
 * generator. Never shipped: scripts/windows.sh puts it in the Wine prefix of the tests. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
