package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Wire form of an app port (aci.md "ports"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "protocol", "port", "count", "socketActivated"})
public final class PortDto {
    public String name;
    public String protocol;
    public Long port;
    public Long count;
    public Boolean socketActivated;
}
