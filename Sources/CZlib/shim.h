// zlib from Debian's zlib1g-dev (scripts/ensure-tools.sh installs it); Headroom inflates gzip pprof files with it.
#include <zlib.h>
