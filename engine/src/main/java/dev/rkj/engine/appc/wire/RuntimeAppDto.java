package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** Wire form of a pod app (pods.md "apps"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "image", "app", "readOnlyRootFS", "mounts", "annotations"})
public final class RuntimeAppDto {
    public String name;
    public RuntimeImageDto image;
    public AppDto app;
    public Boolean readOnlyRootFS;
    public List<MountDto> mounts;
    public List<NameValueDto> annotations;
}
