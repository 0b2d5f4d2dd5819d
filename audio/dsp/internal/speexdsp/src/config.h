/* Written for softphone in place of the configure-generated config.h: the float build with the
   smallft FFT, as speexdsp's configure chooses by default. */
#define FLOATING_POINT 1
#define USE_SMALLFT 1
#define EXPORT
#define VAR_ARRAYS 1
