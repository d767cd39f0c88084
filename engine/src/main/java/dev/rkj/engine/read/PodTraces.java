package dev.rkj.engine.read;

import dev.rkj.engine.pod.PodState;
import dev.rkj.engine.stage.PodRuntime.AppExit;

import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a pod's stage1 left in its pod directory, read without changing anything: whether a stage1
 * holds the pod's lock now, whether one was ever started, and the app statuses it wrote.
 */
public interface PodTraces {

    /**
     * Reads the pod's directory.
     *
     * @throws IOException if it cannot be read (the message names the path)
     */
    Traces read(PodState pod) throws IOException;

    /**
     * @param lockHeld a stage1 holds the pod's lock: the pod runs
     * @param launched a stage1 was started for the pod (its lock file is there), running or not
     * @param apps     the pod's apps in the pod manifest's order (the order stage1 started them)
     * @param written  the statuses stage1 wrote, of the apps that ended
     */
    record Traces(boolean lockHeld, boolean launched, List<String> apps, Map<String, AppExit> written) {
        public Traces {
            apps = List.copyOf(apps);
            written = Collections.unmodifiableMap(new LinkedHashMap<>(written));
        }
    }
}
