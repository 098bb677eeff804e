package dev.tollgate.ingress;

import dev.tollgate.runtime.TollgateRole;
import dev.tollgate.schemas.Roles;
import java.util.Map;

/** How the standalone launcher finds and starts the ingress: last, and serving HTTP. */
public final class IngressRole implements TollgateRole {

    @Override
    public String name() {
        return Roles.INGRESS;
    }

    @Override
    public Class<?> applicationClass() {
        return IngressApplication.class;
    }

    @Override
    public boolean servesHttp() {
        return true;
    }

    /** Those of {@link IngressApplication#main}: among them, Tomcat on virtual threads. */
    @Override
    public Map<String, Object> defaultProperties() {
        return IngressApplication.defaults();
    }

    @Override
    public int order() {
        return 90;
    }
}
