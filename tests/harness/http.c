/* A small libcurl client for the integration tests: one request, whole response. */
#include "harness.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *data;
    size_t len;
} sink;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *user)
{
    sink *s = user;
    size_t n = size * nmemb;
    char *p = realloc(s->data, s->len + n + 1);
    if (!p)
        return 0;
    memcpy(p + s->len, ptr, n);
    s->data = p;
    s->len += n;
    s->data[s->len] = '\0';
    return n;
}

th_response th_http(const th_server *srv, const char *method, const char *path,
                    const char *const *headers, const char *body)
{
    th_response res = {0};
    sink b = {0}, h = {0};
    CURL *c = curl_easy_init();
    char url[2048];
    snprintf(url, sizeof url, "%s%s", srv->base, path);
    struct curl_slist *list = NULL;
    for (int i = 0; headers && headers[i]; i++)
        list = curl_slist_append(list, headers[i]);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &res.status);
    else
        fprintf(stderr, "harness: %s %s: %s\n", method, path, curl_easy_strerror(rc));
    curl_slist_free_all(list);
    curl_easy_cleanup(c);
    res.body = b.data ? b.data : strdup("");
    res.len = b.len;
    res.headers = h.data ? h.data : strdup("");
    return res;
}

bool th_header(const th_response *r, const char *name, char *out, size_t size)
{
    size_t n = strlen(name);
    for (const char *line = r->headers; line && *line;) {
        const char *end = strstr(line, "\r\n");
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            size_t len = end ? (size_t)(end - v) : strlen(v);
            if (len >= size)
                len = size - 1;
            memcpy(out, v, len);
            out[len] = '\0';
            return true;
        }
        line = end ? end + 2 : NULL;
    }
    return false;
}

void th_response_free(th_response *r)
{
    free(r->body);
    free(r->headers);
    r->body = r->headers = NULL;
}
