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
