"""A small OpenID Connect provider on loopback, shaped like Entra ID's v2.0 endpoints.

Keys are generated in the test (RSA 2048, `cryptography`); tokens are signed with PyJWT. The
provider serves, for one tenant id `tid`:

- `/{tid}/v2.0/.well-known/openid-configuration` (issuer `{base}/{tid}/v2.0`);
- `/{tid}/discovery/v2.0/keys`, the JWKS (every read counted in `jwks_reads`);
- `/{tid}/oauth2/v2.0/authorize`, which signs the user in at once: it records the request
  (`authorize_requests`) and redirects back with a code, like a user who is already signed in;
- `/{tid}/oauth2/v2.0/token`, the authorization-code grant with PKCE: it checks
  `S256(code_verifier) == code_challenge` (else 400 `invalid_grant`) and answers with an access
  token made by `token_for_code` (CORS open, as Entra's token endpoint is for SPAs).

With `tls=(cert, key)` it speaks HTTPS (MSAL.js accepts only https authorities).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

__all__ = ["Issuer", "SigningKey", "b64url", "self_signed"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and its key (PEM files in `directory`)."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "issuer.crt", directory / "issuer.key"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.TraditionalOpenSSL,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class SigningKey:
    kid: str
    private: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    def jwk(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(
            jwt.algorithms.RSAAlgorithm.to_jwk(self.private.public_key())
        )
        return {**data, "kid": self.kid, "use": "sig", "alg": "RS256"}


@dataclass
class Issuer:
    """The provider; `start()` serves it on a free loopback port until `stop()`."""

    tid: str = "11111111-2222-3333-4444-555555555555"
    tls: tuple[Path, Path] | None = None
    keys: list[SigningKey] = field(default_factory=lambda: [SigningKey("key-1")])
    jwks_reads: int = 0
    authorize_requests: list[dict[str, str]] = field(default_factory=list)
    issued: list[str] = field(default_factory=list)  # access tokens the token endpoint gave
    token_for_code: Callable[[dict[str, str]], str] | None = None
    _codes: dict[str, dict[str, str]] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self._server is not None
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def issuer(self) -> str:
        return f"{self.base}/{self.tid}/v2.0"

    @property
    def authority(self) -> str:
        """What MSAL.js is configured with (it appends `/v2.0/.well-known/...`)."""
        return f"{self.base}/{self.tid}"

    def token(
        self,
        claims: dict[str, Any] | None = None,
        *,
        key: SigningKey | None = None,
        lifetime: int = 3600,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """An access token of this issuer: v2.0-shaped claims, overridden by `claims`."""
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": "api://tenantgraph",
            "tid": self.tid,
            "oid": "00000000-0000-0000-0000-0000000000aa",
            "sub": "subject-aa",
            "ver": "2.0",
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            **(claims or {}),
        }
        key = key or self.keys[0]
        return jwt.encode(
            body, key.private, algorithm="RS256", headers={"kid": key.kid, **(headers or {})}
        )

    # ---------------------------------------------------------------- serving
    def start(self) -> Issuer:
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _send(
                self,
                status: int,
                body: bytes,
                kind: str = "application/json",
                headers: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("content-type", kind)
                self.send_header("content-length", str(len(body)))
                self.send_header("access-control-allow-origin", "*")
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_OPTIONS(self) -> None:
                self._send(
                    204,
                    b"",
                    headers={
                        "access-control-allow-methods": "GET, POST",
                        "access-control-allow-headers": "*",
                    },
                )

            def do_GET(self) -> None:
                url = urlsplit(self.path)
                prefix = f"/{issuer.tid}"
                if url.path == f"{prefix}/v2.0/.well-known/openid-configuration":
                    self._send(200, json.dumps(issuer.configuration()).encode())
                elif url.path == f"{prefix}/discovery/v2.0/keys":
                    issuer.jwks_reads += 1
                    self._send(200, json.dumps({"keys": [k.jwk() for k in issuer.keys]}).encode())
                elif url.path == f"{prefix}/oauth2/v2.0/authorize":
                    query = {k: v[0] for k, v in parse_qs(url.query).items()}
                    issuer.authorize_requests.append(query)
                    code = secrets.token_urlsafe(16)
                    issuer._codes[code] = query
                    answer = urlencode({"code": code, "state": query.get("state", "")})
                    sep = "#" if query.get("response_mode", "fragment") == "fragment" else "?"
                    self._send(
                        302, b"", headers={"location": f"{query['redirect_uri']}{sep}{answer}"}
                    )
                else:
                    self._send(404, b"{}")

            def do_POST(self) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("content-length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path != f"/{issuer.tid}/oauth2/v2.0/token":
                    self._send(404, b"{}")
                    return
                asked = issuer._codes.pop(form.get("code", ""), None)
                verifier = form.get("code_verifier", "")
                challenge = b64url(hashlib.sha256(verifier.encode()).digest())
                if asked is None or challenge != asked.get("code_challenge"):
                    self._send(400, json.dumps({"error": "invalid_grant"}).encode())
                    return
                self._send(200, json.dumps(issuer.token_response(asked)).encode())

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if self.tls is not None:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(str(self.tls[0]), str(self.tls[1]))
            server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def configuration(self) -> dict[str, Any]:
        root = f"{self.base}/{self.tid}"
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{root}/oauth2/v2.0/authorize",
            "token_endpoint": f"{root}/oauth2/v2.0/token",
            "end_session_endpoint": f"{root}/oauth2/v2.0/logout",
            "jwks_uri": f"{root}/discovery/v2.0/keys",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query", "fragment"],
            "scopes_supported": ["openid", "profile", "offline_access"],
            "code_challenge_methods_supported": ["S256"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "subject_types_supported": ["pairwise"],
        }

    def token_response(self, asked: dict[str, str]) -> dict[str, Any]:
        now = int(time.time())
        id_token = jwt.encode(
            {
                "iss": self.issuer,
                "aud": asked.get("client_id", ""),
                "sub": "subject-aa",
                "oid": "00000000-0000-0000-0000-0000000000aa",
                "tid": self.tid,
                "nonce": asked.get("nonce", ""),
                "preferred_username": "ada@contoso.example",
                "name": "Ada",
                "iat": now,
                "nbf": now,
                "exp": now + 3600,
            },
            self.keys[0].private,
            algorithm="RS256",
            headers={"kid": self.keys[0].kid},
        )
        access = self.token_for_code(asked) if self.token_for_code else self.token()
        self.issued.append(access)
        client_info = {"uid": "00000000-0000-0000-0000-0000000000aa", "utid": self.tid}
        return {
            "client_info": b64url(json.dumps(client_info).encode()),
            "token_type": "Bearer",
            "scope": asked.get("scope", ""),
            "expires_in": 3600,
            "access_token": access,
            "id_token": id_token,
        }
