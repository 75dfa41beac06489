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
// missing or the two do not load as a pair: an EC P-256 key (mode 0600) and
// a self-signed certificate (0644) for localhost, 127.0.0.1 and ::1, valid
// 825 days; DIR is made 0700. Modes are set explicitly, whatever the umask.
// Each file is written to a temporary file in DIR, synced, and renamed into
// place only once both are complete, so a failure (a full disk) leaves
// neither a half-written file nor a key without its certificate. Fails
// naming the directory and the system's reason.
Result<CertificatePaths> EnsureSelfSignedCertificate(const std::string& dir);

}  // namespace allot::http
