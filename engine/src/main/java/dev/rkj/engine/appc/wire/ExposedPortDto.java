package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** Wire form of an exposed port (pods.md "ports"); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"name", "hostPort", "hostIP", "podPort"})
public final class ExposedPortDto {
    public String name;
    public Long hostPort;
    public String hostIP;
    public PortDto podPort;
}
