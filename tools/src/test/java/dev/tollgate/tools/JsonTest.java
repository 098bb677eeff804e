package dev.tollgate.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    void escapesStringsAndKeepsMapOrder() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", "quote\" back\\ nl\n tab\t nul\u0000");
        map.put("a", Arrays.asList(1, 2L, true, null, 1.5));

        String json = Json.write(map);

        assertThat(json).isEqualTo("{\"b\":\"quote\\\" back\\\\ nl\\n tab\\t nul\\u0000\","
                + "\"a\":[1,2,true,null,1.5]}");
    }
}
