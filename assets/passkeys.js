// Passkeys in the browser (fluxkit/state/passkeys.py calls these through rx.call_script).
// The server's options (/api/auth/passkey/generate-*-options) carry binary fields as
// base64url strings; WebAuthn wants ArrayBuffers, and its answer goes back as base64url JSON.
// Every request goes through fluxkit.post (assets/fluxkit.js), so the HttpOnly session
// cookie is set by the server's answer, never by this code. Each function resolves to
// {status, body} like fluxkit.post, or {status: -1, error: <DOMException name>} when the
// browser or the person stopped the ceremony (cancelled, timed out, no passkey support).
window.fluxkitPasskeys = {
  toBuffer(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
    const binary = atob(padded);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  },

  toText(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },

  descriptors(list) {
    return (list || []).map((d) => Object.assign({}, d, { id: this.toBuffer(d.id) }));
  },

  creationOptions(json) {
    return Object.assign({}, json, {
      challenge: this.toBuffer(json.challenge),
      user: Object.assign({}, json.user, { id: this.toBuffer(json.user.id) }),
      excludeCredentials: this.descriptors(json.excludeCredentials),
    });
  },

  requestOptions(json) {
    return Object.assign({}, json, {
      challenge: this.toBuffer(json.challenge),
      allowCredentials: this.descriptors(json.allowCredentials),
    });
  },

  credentialJSON(credential) {
    const r = credential.response;
    const response = { clientDataJSON: this.toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = this.toText(r.attestationObject);
      response.transports = typeof r.getTransports === "function" ? r.getTransports() : [];
    }
    if (r.authenticatorData) {
      response.authenticatorData = this.toText(r.authenticatorData);
      response.signature = this.toText(r.signature);
      response.userHandle = r.userHandle ? this.toText(r.userHandle) : null;
    }
    return {
      id: credential.id,
      rawId: this.toText(credential.rawId),
      type: credential.type,
      response: response,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
    };
  },

  supported() {
    return Boolean(window.PublicKeyCredential && navigator.credentials);
  },

  // Settings › Passkeys: add one to the signed-in account.
  async register(apiUrl, name) {
    if (!this.supported()) return { status: -1, error: "NotSupportedError" };
    const options = await fluxkit.post(apiUrl, "/api/auth/passkey/generate-register-options", null, {});
    if (options.status !== 200) return options;
    let credential;
    try {
      credential = await navigator.credentials.create({ publicKey: this.creationOptions(options.body) });
    } catch (e) {
      return { status: -1, error: (e && e.name) || "Error" };
    }
    const body = { response: this.credentialJSON(credential) };
    if (name) body.name = name;
    return fluxkit.post(apiUrl, "/api/auth/passkey/verify-registration", null, body);
  },

  // The sign-in page: any passkey of this site the browser or phone has (discoverable).
  async signIn(apiUrl, callbackURL) {
    if (!this.supported()) return { status: -1, error: "NotSupportedError" };
    const options = await fluxkit.post(apiUrl, "/api/auth/passkey/generate-authenticate-options", null, {});
    if (options.status !== 200) return options;
    let credential;
    try {
      credential = await navigator.credentials.get({ publicKey: this.requestOptions(options.body) });
    } catch (e) {
      return { status: -1, error: (e && e.name) || "Error" };
    }
    return fluxkit.post(apiUrl, "/api/auth/passkey/verify-authentication", null, {
      response: this.credentialJSON(credential),
      callbackURL: callbackURL,
    });
  },
};
