// OpenSSL's libcrypto from Debian's libssl-dev (scripts/ensure-tools.sh installs it): SHA-256 with the CPU's SHA
// extensions, several times faster than portable code, for content-hashing multi-gigabyte profiles.
#include <openssl/evp.h>
