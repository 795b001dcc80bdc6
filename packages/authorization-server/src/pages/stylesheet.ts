/**
 * The one stylesheet every page carries inline; its SHA-256 goes into the CSP, so no nonce
 * has to be threaded through a request. It avoids & < > " ' and backtick, which makes
 * escaping it a no-op: the page shell passes it through `html` like any other text, and the
 * bytes hashed are the bytes sent (checked when the module loads).
 */
export const STYLESHEET = `
:root{color-scheme:light dark;--bg:#f4f5f7;--card:#fff;--text:#1b1f24;--muted:#59616b;--border:#d5d9de;
--accent:#1f5fbf;--accent-text:#fff;--accent-hover:#184c99;--danger:#b3261e;--danger-bg:#fdecea;
--notice-bg:#e8f1fc;--focus:#1f5fbf;--radius:10px}
@media (prefers-color-scheme:dark){:root{--bg:#121417;--card:#1c1f24;--text:#e8eaed;--muted:#a3abb5;
--border:#353a42;--accent:#8ab4f8;--accent-text:#0d1b2e;--accent-hover:#aecbfa;--danger:#f28b82;
--danger-bg:#3a1d1b;--notice-bg:#1b2a3d;--focus:#8ab4f8}}
*{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;flex-direction:column;background:var(--bg);color:var(--text);
font:1rem/1.5 system-ui,-apple-system,Segoe UI,Roboto,Helvetica Neue,Arial,sans-serif}
a{color:var(--accent)}
a:hover{text-decoration-thickness:2px}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px}
main:focus{outline:none}
.skip:focus{left:1rem;top:1rem;background:var(--card);padding:.5rem 1rem;z-index:1}
.site-header,.site-footer{width:100%;max-width:44rem;margin:0 auto;padding:1.25rem 1rem}
.brand{font-weight:700;font-size:1.125rem;letter-spacing:.01em}
.brand-mark{display:inline-block;width:1.5rem;height:1.5rem;margin-right:.5rem;vertical-align:-.3rem;
border-radius:6px;background:var(--accent)}
main{flex:1;width:100%;max-width:44rem;margin:0 auto;padding:0 1rem 2rem}
.card{background:var(--card);border:1px solid var(--border);border-radius:var(--radius);padding:2rem;
box-shadow:0 1px 2px rgba(0,0,0,.06)}
.card.narrow{max-width:26rem;margin:0 auto}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.125rem;margin:2rem 0 .75rem}
p{margin:0 0 1rem}
.lead{color:var(--muted);margin-bottom:1.5rem}
.muted{color:var(--muted);font-size:.875rem}
.field{margin-bottom:1.25rem}
label{display:block;font-weight:600;margin-bottom:.375rem}
input[type=text],input[type=password],input[type=email]{width:100%;padding:.625rem .75rem;font:inherit;
color:var(--text);background:var(--card);border:1px solid var(--border);border-radius:6px}
input[aria-invalid=true]{border-color:var(--danger)}
.field-error{color:var(--danger);font-size:.875rem;margin:.375rem 0 0}
.alert{border-radius:6px;padding:.75rem 1rem;margin-bottom:1.25rem;border-left:4px solid}
.alert-error{background:var(--danger-bg);border-color:var(--danger)}
.alert-notice{background:var(--notice-bg);border-color:var(--accent)}
.alert p{margin:0}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1.5rem}
button,.button{display:inline-block;font:inherit;font-weight:600;padding:.625rem 1.25rem;border-radius:6px;
border:1px solid var(--accent);background:var(--accent);color:var(--accent-text);cursor:pointer;
text-decoration:none;text-align:center}
button:hover,.button:hover{background:var(--accent-hover);border-color:var(--accent-hover)}
button.secondary,.button.secondary{background:transparent;color:var(--accent)}
button.secondary:hover,.button.secondary:hover{background:var(--notice-bg)}
button.danger{background:transparent;color:var(--danger);border-color:var(--danger)}
button.danger:hover{background:var(--danger-bg)}
button.small{padding:.375rem .75rem;font-size:.875rem}
.actions button{flex:1 1 10rem}
fieldset.plain{border:0;margin:0;padding:0;min-width:0}
fieldset.plain legend{padding:0}
fieldset.plain legend h2{margin-top:.5rem}
.scopes{list-style:none;margin:0 0 1rem;padding:0;border:1px solid var(--border);border-radius:6px}
.scopes li{padding:.75rem 1rem;border-top:1px solid var(--border)}
.scopes li:first-child{border-top:0}
.scopes label{display:flex;gap:.75rem;align-items:flex-start;font-weight:400;margin:0;cursor:pointer}
.scopes input{width:1.125rem;height:1.125rem;margin:.2rem 0 0;flex:none;accent-color:var(--accent)}
.scope-title{font-weight:600;display:block}
.scope-detail{display:block}
.scopes li.scope-required{padding-left:2.875rem}
.tag{display:inline-block;font-size:.75rem;font-weight:600;padding:.0625rem .5rem;border-radius:999px;
background:var(--notice-bg);color:var(--text);margin-left:.5rem;vertical-align:.1rem}
.rows{list-style:none;margin:0;padding:0}
.row{display:flex;flex-wrap:wrap;gap:.5rem 1rem;justify-content:space-between;align-items:center;
padding:1rem 0;border-top:1px solid var(--border)}
.row:first-child{border-top:0}
.row-main{flex:1 1 16rem;min-width:0}
.row-title{font-weight:600;overflow-wrap:anywhere}
.row form{margin:0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.125rem .75rem;margin:.25rem 0 0;
font-size:.875rem;color:var(--muted)}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.875em;
background:var(--bg);padding:.0625rem .375rem;border-radius:4px;overflow-wrap:anywhere}
.site-footer{color:var(--muted);font-size:.875rem;text-align:center}
.visually-hidden{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;
clip:rect(0 0 0 0);white-space:nowrap;border:0}
@media (max-width:30rem){.card{padding:1.25rem;border-radius:0;border-left:0;border-right:0}
main{padding:0 0 2rem}.site-header{padding:1rem}}
@media (prefers-reduced-motion:reduce){*{transition:none}}
`.trim();

if (/[&<>"'`]/.test(STYLESHEET)) {
  throw new Error('the page stylesheet must not contain & < > " \' or backtick (escaping would change it)');
}
