#include "util/status.h"

namespace tide {

std::string Error::headline() const {
  std::string out;
  if (!where.empty()) out += where + ": ";
  out += message;
  if (!code.empty()) out += " (" + code + ")";
  return out;
}

}  // namespace tide
