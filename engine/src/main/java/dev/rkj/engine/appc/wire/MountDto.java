package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Wire form of a pod app mount (pods.md "mounts"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"volume", "path", "appVolume"})
public final class MountDto {
    public String volume;
    public String path;
    public VolumeDto appVolume;
}
