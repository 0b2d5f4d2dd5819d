/*
 * bcryptprimitives.dll shim for Wine 8 — TEST USE ONLY, never shipped.
 *
 * Go >= 1.22 reads its randomness from bcryptprimitives.dll!ProcessPrng, which
 * Windows 10+ has but Wine 8.0 lacks: every Go .exe then dies at start with
 * "bcryptprimitives.dll not found". This DLL exports ProcessPrng and fills the
 * buffer from BCryptGenRandom (the system-preferred RNG), which Wine implements.
 * scripts/windows/setup-wine.sh builds it with mingw-w64 and copies it into the
 * test prefix's system32.
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
	while (len > 0) {
		/* BCryptGenRandom takes a ULONG length: feed large requests in chunks. */
		ULONG n = len > 0x40000000 ? 0x40000000 : (ULONG)len;
		if (!BCRYPT_SUCCESS(BCryptGenRandom(NULL, data, n, BCRYPT_USE_SYSTEM_PREFERRED_RNG)))
			return FALSE;
		data += n;
		len -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE inst, DWORD reason, LPVOID reserved)
{
	(void)inst;
	(void)reason;
	(void)reserved;
	return TRUE;
}
