package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Wire form of a mount point (aci.md "mountPoints"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "path", "readOnly"})
public final class MountPointDto {
    public String name;
    public String path;
    public Boolean readOnly;
}
