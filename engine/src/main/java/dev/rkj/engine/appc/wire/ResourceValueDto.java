package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Wire form of the value of resource/cpu and resource/memory (ace.md); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"request", "limit"})
public final class ResourceValueDto {
    public String request;
    public String limit;
}
