// libpng's simplified `png_image` API reports errors in image.message instead of longjmp,
// which Swift cannot catch; ImageIO uses only that API.
#include <png.h>
