#include "migrate/checksum.h"

// The low-level SHA256_* calls are deprecated in OpenSSL 3 in favour of EVP, but EVP's
// provider dispatch costs several times the hashing itself on files this small, and
// `status` checksums every applied migration. They remain supported in OpenSSL 3.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

namespace tide {

std::string checksum(std::string_view text) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  // Feed runs between carriage returns; each "\r\n" or lone "\r" becomes "\n".
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\r') continue;
    SHA256_Update(&ctx, text.data() + start, i - start);
    SHA256_Update(&ctx, "\n", 1);
    if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  SHA256_Update(&ctx, text.data() + start, text.size() - start);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_Final(digest, &ctx);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * SHA256_DIGEST_LENGTH);
  for (unsigned char byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

}  // namespace tide
