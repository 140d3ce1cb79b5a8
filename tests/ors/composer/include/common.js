/* A script library in the shape Composer ships (ES3 style, included as text). */
function getBaseURL() {
    var url = __GetDocumentURL();
    return url.substring(0, url.lastIndexOf('/') + 1);
}

function toNumber(v) { return (v === undefined || v === null || v === '') ? 0 : Number(v); }

function storeEvent(list, ev) {
    // keeps the events the application did not handle
    list[list.length] = ev;
    return list.length;
}

/* ES3-era shims, as Composer's libraries carry them: guarded, so ES5 built-ins stay. */
if (!Date.prototype.toISOString) {
    Date.prototype.toISOString = function () { return 'shim'; };
}
Date.fromISOString = function (s) { return new Date(Date.parse(s)); };
if (!Array.prototype.contains) {
    Array.prototype.contains = function (x) {
        for (var i = 0; i < this.length; i++) { if (this[i] === x) { return true; } }
        return false;
    };
}
