#include "server/http/tls_context.h"

#include <openssl/ssl.h>

namespace allot::http {

Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(
    const std::string& cert_file, const std::string& key_file) {
  namespace ssl = boost::asio::ssl;
  auto context = std::make_unique<ssl::context>(ssl::context::tls_server);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                       ssl::context::no_tlsv1_1 | ssl::context::single_dh_use |
                       ssl::context::no_compression);
  SSL_CTX* native = context->native_handle();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // tls_socket.h: idle connections free their record buffers; writes may be
  // partial and retried from a moved buffer.
  SSL_CTX_set_mode(native, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ENABLE_PARTIAL_WRITE |
                               SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  boost::system::error_code ec;
  context->use_certificate_chain_file(cert_file, ec);
  if (!ec) context->use_private_key_file(key_file, ssl::context::pem, ec);
  if (ec || SSL_CTX_check_private_key(native) != 1) {
    return Fail(ErrorCode::kInvalidRequest,
                "cannot load the TLS certificate '" + cert_file + "' and key '" + key_file +
                    "': check that both exist, are readable PEM files and match");
  }
  return context;
}

}  // namespace allot::http
