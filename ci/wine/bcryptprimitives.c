/* ProcessPrng for Wine 8, which lacks bcryptprimitives.dll: Rust's standard
 * library (1.78+) takes its random numbers (HashMap keys) from it on Windows.
 * Forwards to BCryptGenRandom with the system RNG, which Wine 8 implements.
 * Only for running the test build under Wine in CI; never shipped. */
#include <windows.h>
#include <bcrypt.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
