package dev.rkj.engine.appc.wire;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/** Wire form of the value of the seccomp isolators (ace.md); keys as the spec spells them. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"set", "errno"})
public final class SeccompValueDto {
    public List<String> set;
    public String errno;
}
