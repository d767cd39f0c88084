package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Wire form of a volume (pods.md "volumes"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "kind", "source", "readOnly", "recursive", "mode", "uid", "gid"})
public final class VolumeDto {
    public String name;
    public String kind;
    public String source;
    public Boolean readOnly;
    public Boolean recursive;
    public String mode;
    public Long uid;
    public Long gid;
}
