// server/http/tls.h — development TLS material: a self-signed certificate
// for `serve` when no --tls-cert is given.
// Thread-safety: call at start-up only.
#pragma once

#include <string>

#include "server/base/error.h"

namespace allot::http {

struct CertificatePaths {
  std::string cert_file;
  std::string key_file;
};

// Returns DIR/cert.pem and DIR/key.pem, creating them first when either is
// missing: an EC P-256 key (file mode 0600) and a self-signed certificate for
// localhost, 127.0.0.1 and ::1, valid 825 days. Fails naming the directory
// when it cannot be written.
Result<CertificatePaths> EnsureSelfSignedCertificate(const std::string& dir);

}  // namespace allot::http
