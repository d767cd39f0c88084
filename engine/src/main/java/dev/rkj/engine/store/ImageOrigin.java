package dev.rkj.engine.store;

import java.util.Objects;

/**
 * Where a downloaded image came from, as {@code image.stored} records it (its provenance). A local
 * file has none: its path is the event's {@code source}.
 *
 * @param url          the URL the ACI was downloaded from (after redirects)
 * @param discoveredAs the image name and labels that appc discovery resolved to {@code url}
 *                     ({@code example.com/app,version=1.0}), or {@code null} when the user gave the URL
 * @param template     the {@code ac-discovery} template that rendered {@code url}, or {@code null}
 * @param etag         the server's {@code ETag} for it, or {@code null}
 * @param blobDigest   {@code sha512-<hex>} of the bytes downloaded (the ACI as served, compressed)
 * @param signatureUrl the URL its detached signature was downloaded from, or {@code null} when the server had none
 */
public record ImageOrigin(String url, String discoveredAs, String template, String etag, String blobDigest,
                          String signatureUrl) {
    public ImageOrigin {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(blobDigest, "blobDigest");
    }
}
