/**
 * The one place that points Yahoo requests elsewhere: a URL on a Yahoo host (`yahoo.com` or any
 * `*.yahoo.com`, e.g. yahoo-finance2's `https://query2.finance.yahoo.com/v8/finance/chart/AAPL?…`)
 * is rewritten to a base URL such as a loopback server speaking Yahoo's chart JSON
 * (`http://127.0.0.1:4567`), keeping path and query. Other URLs are returned unchanged.
 */
export function rewriteYahooUrl(url: string, baseUrl: string): string {
  const m = /^https?:\/\/(?:[^/@]*\.)?yahoo\.com(?::\d+)?(\/.*)?$/i.exec(url);
  if (!m) return url;
  return baseUrl.replace(/\/+$/, '') + (m[1] ?? '/');
}

/** The host (and port, when one is given) of a URL; the input itself when it does not parse. */
export function hostOfUrl(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
