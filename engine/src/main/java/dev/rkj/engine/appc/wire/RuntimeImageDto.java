package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** Wire form of a pod app image (pods.md "image"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "id", "labels"})
public final class RuntimeImageDto {
    public String name;
    public String id;
    public List<NameValueDto> labels;
}
