// server/http/tls_context.h — the server side of TLS: the OpenSSL context
// the transport hands every accepted connection (tls_socket.h), from PEM
// files.
// TLS 1.2 or newer, no compression, no renegotiation; buffers of idle
// connections are released (many idle TLS connections cost little memory).
// Thread-safety: build once at start; the context is then shared read-only.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "server/base/error.h"

namespace allot::http {

// Loads the certificate chain and the private key. Fails (kInvalidRequest)
// naming both files when either is missing, unreadable, not PEM or when
// they do not match.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file);

}  // namespace allot::http
