"""A Windows login with Samba's NTLM client, the one Wine's NTLM runs: python-tds speaks TDS and
hands each NTLM token to `ntlm_auth --helper-protocol=ntlmssp-client-1` (Debian package winbind).

Usage: ntlm_auth_client.py HOST PORT DOMAIN\\USER [CAFILE]
The password comes from the variable NTLM_PASSWORD and reaches ntlm_auth on its standard input
(« PW »), never on a command line. Like Wine for an SSPI client asking for integrity and
confidentiality, the helper is told to want signing and sealing (« SF »): Samba then refuses a
CHALLENGE that does not grant them. Prints JSON: {"ok": true, "devis": N} or {"ok": false, "error": …}.
"""
import base64
import json
import os
import subprocess
import sys

import pytds
from pytds.tds_base import AuthProtocol


class SambaNtlm(AuthProtocol):
    def __init__(self, domain, user, password):
        self._helper = subprocess.Popen(
            ["ntlm_auth", "--helper-protocol=ntlmssp-client-1", f"--username={user}", f"--domain={domain}"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._expect("PW " + base64.b64encode(password.encode()).decode(), "OK")
        self._expect("SF NTLMSSP_FEATURE_SESSION_KEY NTLMSSP_FEATURE_SIGN NTLMSSP_FEATURE_SEAL", "OK")

    def _expect(self, line, *codes):
        """Sends one request line; returns the token of an answer with one of `codes`."""
        self._helper.stdin.write(line + "\n")
        self._helper.stdin.flush()
        answer = self._helper.stdout.readline().strip()
        code, _, token = answer.partition(" ")
        if code not in codes:
            raise RuntimeError(f"ntlm_auth refused: {answer!r} (to {line.split()[0]})")
        return token

    def create_packet(self):
        return base64.b64decode(self._expect("YR", "YR"))

    def handle_next(self, packet):
        # « KK » carries the AUTHENTICATE (« AF » in older Samba); « NA » is a refusal.
        return base64.b64decode(self._expect("TT " + base64.b64encode(packet).decode(), "KK", "AF"))

    def close(self):
        self._helper.stdin.close()
        self._helper.wait()


def main():
    host, port, account = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    cafile = sys.argv[4] if len(sys.argv) > 4 else None
    domain, user = account.split("\\", 1)
    auth = SambaNtlm(domain, user, os.environ["NTLM_PASSWORD"])
    try:
        with pytds.connect(
            server=host,
            port=port,
            database="BATIGEST_CONNECT",
            auth=auth,
            cafile=cafile,
            validate_host=False,
            login_timeout=10,
            timeout=10,
            autocommit=True,
        ) as conn:
            with conn.cursor() as cursor:
                cursor.execute("SELECT COUNT(*) FROM DEVIS")
                print(json.dumps({"ok": True, "devis": cursor.fetchone()[0]}))
    except Exception as error:  # noqa: BLE001 - the Rust side reads the error text
        print(json.dumps({"ok": False, "error": str(error)}))
    finally:
        auth.close()


if __name__ == "__main__":
    main()
