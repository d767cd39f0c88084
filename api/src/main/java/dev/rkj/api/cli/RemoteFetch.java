package dev.rkj.api.cli;

import dev.rkj.engine.Grantor;
import dev.rkj.engine.fetch.FetchException;
import dev.rkj.engine.fetch.FetchesInFlight;
import dev.rkj.engine.fetch.PullPolicy;
import dev.rkj.engine.fetch.RemoteImages;
import dev.rkj.engine.host.StoreImages;
import dev.rkj.engine.store.AmbiguousImageException;
import dev.rkj.engine.store.ImageNotFoundException;
import dev.rkj.engine.store.ImageRecord;
import dev.rkj.engine.store.ImageStoreException;
import dev.rkj.engine.store.SignaturePolicy;

/**
 * The CLI's side of fetching from elsewhere: {@code rkj fetch URL|NAME}, and {@code rkj run}/{@code
 * prepare} fetching their images before the pod is made, with progress on stderr and one-line errors.
 */
final class RemoteFetch implements AutoCloseable {
    private final RkjCommand root;
    private RemoteImages remote;

    RemoteFetch(RkjCommand root) {
        this.root = root;
    }

    /** Whether {@code ref} is fetched from elsewhere (a URL or an image name), not read from a file or found by id. */
    static boolean remote(String ref) {
        return RemoteImages.isUrl(ref) || !StoreImages.isFileReference(ref) && !ref.startsWith("sha512-");
    }

    /**
     * Fetches {@code ref} per {@code policy} into the store, its signature checked per {@code signatures}
     * (null: not checked here).
     *
     * @throws CliException naming the URL or name, what failed and what to do
     */
    ImageRecord fetch(String ref, PullPolicy policy, boolean allowHttp, boolean insecureTls, Grantor requestedBy,
                      SignaturePolicy signatures) throws Exception {
        if (!RemoteImages.isUrl(ref) && policy != PullPolicy.UPDATE) {
            try {
                return root.context().imageStore().resolve(ref); // no network, no HTTP client to start
            } catch (ImageNotFoundException e) {
                if (policy == PullPolicy.NEVER) {
                    throw new CliException(e.getMessage() + "; --pull-policy=never fetches nothing: use"
                            + " --pull-policy=new to discover and fetch it", e);
                }
            } catch (AmbiguousImageException | IllegalArgumentException e) {
                throw new CliException(e.getMessage(), e);
            }
        }
        try {
            if (remote == null) {
                remote = RemoteImages.open(root.context().imageStore(), root.discoveryPages);
            }
            return remote.fetch(ref, new RemoteImages.Options(policy, allowHttp, insecureTls, requestedBy,
                    FetchesInFlight.PROCESS.and(ProgressLine.of(root)), signatures)).image();
        } catch (FetchException e) {
            throw new CliException(e.getMessage(), e);
        } catch (IllegalArgumentException e) { // a malformed name or label: ImageReference's message
            throw new CliException(e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (remote != null) {
            remote.close();
        }
    }
}
