#!/usr/bin/env python3
"""Writes the starting corpus of every fuzz target into fuzz/corpus/<target>/.

Seeds are realistic documents taken from the vendor seeds (the EZVIZ fixtures, the gateway's
seed stream, the 9.x examples) plus, in every corpus, a deep-nesting seed: the input that
aborted the process before the XML nesting limit (5,000 levels in ~15 KB) or its JSON twin.
Run from the repository root: `python3 fuzz/seeds.py`. Files are named `seed-*`; libFuzzer
adds its own (hash-named) files next to them when run without `-artifact_prefix` changes.
"""
import os
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fuzz" / "corpus"
LEVELS = 5_000


def write(target, name, data):
    d = CORPUS / target
    d.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    (d / f"seed-{name}").write_bytes(data)


def part(ct, body):
    return f"--boundary\r\nContent-Type: {ct}\r\nContent-Length: {len(body.encode())}\r\n\r\n{body}\r\n"


NS = "http://www.isapi.org/ver20/XMLSchema"
DEEP_XML_RSP = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<SubscribeDeviceMgmtRsp version="2.0" xmlns="{NS}">'
    f"<id>5939</id><FailList>" + "<a>" * LEVELS
)
DEEP_JSON_RSP = '{"SubscribeDeviceMgmtRsp":{"id":5939,"FailList":' + "[" * LEVELS + "]" * LEVELS + "}}"
DEEP_JSON_OBJ = '{"data":' + '{"a":' * 1_000 + "1" + "}" * 1_000 + "}"

XML_ALERT = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<EventNotificationAlert version="2.0" xmlns="{NS}">'
    "<channelID>1</channelID><dateTime>2018-01-21T12:50:39+08:00</dateTime><activePostCount>3</activePostCount>"
    "<eventType>CIDAlarm</eventType><eventState>active</eventState><eventDescription>CID</eventDescription>"
    "<devIndex>u5</devIndex><CIDAlarm><subSys>1</subSys><zoneNo>4</zoneNo><CIDCode>1130</CIDCode>"
    "<CIDType>1</CIDType><UUID>9</UUID></CIDAlarm></EventNotificationAlert>"
)
XML_STATUS = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<ResponseStatus version="2.0" xmlns="{NS}">'
    "<requestURL>/ISAPI/System/deviceInfo</requestURL><statusCode>4</statusCode>"
    "<statusString>Invalid Operation</statusString><subStatusCode>notSupport</subStatusCode>"
    "<errorCode>0x40000001</errorCode></ResponseStatus>"
)
XML_PREFIXED = (
    '<hik:SubscribeDeviceMgmtRsp xmlns:hik="http://www.hikvision.com/ver20/XMLSchema" version="2.0">'
    "<hik:id>7</hik:id><hik:FailList><hik:Dev><hik:devIndex>u9</hik:devIndex>"
    "<hik:subStatusCode>theDeviceIdDoesNotExist</hik:subStatusCode></hik:Dev></hik:FailList>"
    "</hik:SubscribeDeviceMgmtRsp>"
)
XML_ZONES = '<Zone id="1"><id>1</id><zoneName>Door</zoneName><enabled>true</enabled><Zone><id>2</id></Zone></Zone>'
JSON_CID = (
    '{"EventNotificationAlert":{"channelID":"1","dateTime":"2018-01-21T12:50:39+08:00","activePostCount":1,'
    '"eventType":"videoReview","eventState":"active","eventDescription":"video review",'
    '"devIndex":"2cd6716d-767f-4756-ac55-50276a5e3b4a","channelName":"Ipdome","deviceID":"123456",'
    '"CIDAlarm":{"subSys":0,"zoneNo":1,"CIDCode":"1103","CIDType":1,"CIDDescribe":"alarm","timeZoneIdx":0,'
    '"triggerTime":"2009-02-24 16:59:00","uploadTime":"2009-02-24 16:59:00","CIDParam":"1,2,1,1,1,1,0,admin","UUID":"0"}}}'
)
JSON_STATUS = (
    '{"requestURL":"/ISAPI/System/deviceInfo","statusCode":4,"statusString":"Invalid Operation",'
    '"subStatusCode":"notSupport","errorCode":0x40000001,"errorMsg":"","rebootRequired":1,}'
)
JSON_AUTH_FAILED = (
    '{"requestURL":"/ISAPI/System/deviceInfo","statusCode":4,"statusString":"Invalid Operation",'
    '"subStatusCode":"badAuthorization","errorCode":1073741825,"errorMsg":"",'
    '"userCheck":{"statusValue":401,"statusString":"Unauthorized","isDefaultPassword":false,'
    '"retryLoginTime":2,"lockStatus":"unlock","unlockTime":0}}'
)
SEED_STREAM = (ROOT / "crates/hik-gateway/tests/data/seed_stream.txt").read_text()


def main():
    # multipart: 3 control bytes (part limit, header limit, chunking), then the stream.
    ctl = bytes([0xFF, 0xFF, 7])
    write("multipart", "stream", ctl + SEED_STREAM.encode())
    write("multipart", "xml-and-json", ctl + (part("application/xml", XML_ALERT) + part("application/json", JSON_CID) + "--boundary--\r\n").encode())
    write("multipart", "no-length-lf", ctl + b"preamble\n--boundary\nContent-Type: application/json\n\n{\"a\":1}\n--boundary\n\n{}\n--boundary--\n")
    write("multipart", "small-limits", bytes([0, 0, 1]) + SEED_STREAM.encode())
    write("multipart", "deep-part", ctl + part("application/xml", DEEP_XML_RSP).encode())

    # xml: the document.
    write("xml", "alert", XML_ALERT)
    write("xml", "status", XML_STATUS)
    write("xml", "prefixed-fail-list", XML_PREFIXED)
    write("xml", "zones", XML_ZONES)
    write("xml", "deep-fail-list", DEEP_XML_RSP)
    write("xml", "deep-closed", "<a>" * 200 + "</a>" * 200)

    # hikgw_alarm_part: 1 control byte (content type), then the part body.
    for i, chunk in enumerate(SEED_STREAM.split("--boundary")):
        body = chunk.split("\n\n", 1)[-1].strip()
        if body:
            write("hikgw_alarm_part", f"stream-part-{i}", b"\x01" + body.encode())
    write("hikgw_alarm_part", "cid-json", b"\x01" + JSON_CID.encode())
    write("hikgw_alarm_part", "cid-xml", b"\x02" + XML_ALERT.encode())
    write("hikgw_alarm_part", "status-json", b"\x00" + JSON_STATUS.encode())
    write("hikgw_alarm_part", "fail-list-xml", b"\x02" + XML_PREFIXED.encode())
    write("hikgw_alarm_part", "deep-fail-list-xml", b"\x02" + DEEP_XML_RSP.encode())
    write("hikgw_alarm_part", "deep-fail-list-json", b"\x01" + DEEP_JSON_RSP.encode())

    # hikgw_timezone: the text body of /ISAPI/System/time/timeZone.
    write("hikgw_timezone", "cst", "CST-8:00:00")
    write("hikgw_timezone", "gst", "GST-8:00:00")
    write("hikgw_timezone", "dst", "CST-8:00:00DST00:30:00,M4.1.0/02:00:00,M10.5.0/02:00:00")
    write("hikgw_timezone", "posix-quoted", "<+0330>-3:30<+0430>,J79/24,J263/24")
    write("hikgw_timezone", "posix-julian", "EST5EDT,M3.2.0,M11.1.0")
    write("hikgw_timezone", "deep-nesting", "<" * 2_000 + "CST" + ">" * 2_000 + "-8")

    # hikgw_response_status: 1 control byte (HTTP status), then the body.
    write("hikgw_response_status", "status-json", b"\x00" + JSON_STATUS.encode())
    write("hikgw_response_status", "auth-failed", b"\x02" + JSON_AUTH_FAILED.encode())
    write("hikgw_response_status", "status-xml", b"\x01" + XML_STATUS.encode())
    write("hikgw_response_status", "wrapped", b"\x00" + b'{"ResponseStatus":{"statusCode":"1","statusString":"OK","subStatusCode":"ok"}}')
    write("hikgw_response_status", "batch", b"\x00" + b'{"DeviceOutList":[{"Device":{"devIndex":"u1","status":"fail","subStatusCode":"deviceExist"}}],"statusCode":4}')
    write("hikgw_response_status", "deep-xml", b"\x01" + ("<ResponseStatus>" + "<a>" * LEVELS).encode())
    write("hikgw_response_status", "deep-json", b"\x00" + ('{"statusCode":4,"ErrorList":' + "[" * LEVELS + "]" * LEVELS + "}").encode())

    # ezviz_envelope: 1 control byte (HTTP status), then the body.
    for f in sorted((ROOT / "crates/ezviz-lapp/fixtures/seed").glob("*.json")):
        write("ezviz_envelope", f.stem, b"\x00" + f.read_bytes())
    write("ezviz_envelope", "token-expired", b"\x00" + b'{"code":"10002","msg":"accessToken expired"}')
    write("ezviz_envelope", "deep-data", b"\x00" + ('{"code":"200","msg":"OK","data":' + "[" * LEVELS + "]" * LEVELS + "}").encode())
    write("ezviz_envelope", "deep-object", b"\x00" + DEEP_JSON_OBJ.replace('"data"', '"code":"200","data"', 1).encode())

    # gizwits_envelope: the body.
    write("gizwits_envelope", "token", '{ "token": "89d753a234ef42cd90f75da7489e78a4", "expired_at": 1517897923 }')
    write("gizwits_envelope", "error", '{"error_code": 9004, "error_message": "token invalid!", "detail_message": null}')
    write("gizwits_envelope", "quota", '{"error_code": "5013", "error_message": "api call limit", "detail_message": {"reset": 60}}')
    write("gizwits_envelope", "location", '{ "gid": null, "total": 4, "location": { "China": { "count": 3, "Guangdong": { "count": 3, "Guangzhou": 3 } } } }')
    write("gizwits_envelope", "page", '{ "meta": { "previous": null, "skip": 0, "total": 4, "limit": 20, "next": null }, "objects": [ { "city": "Guangzhou", "country": "China", "region": "Guangdong", "report_date": "2017-12-07", "product_key": "4bd8778c5aa4602e5c9a5a208a1fdcc3", "mac": "virtual:site", "created_at": "2017-12-07 10:12:45" } ] }')
    write("gizwits_envelope", "group-tree", '{"root": {"a": "", "b": {"c": ""}}}')
    write("gizwits_envelope", "deep-location", '{"China":' + '{"a":' * 1_000 + "1" + "}" * 1_000 + "}")
    write("gizwits_envelope", "deep-error", '{"error_code": 9004, "detail_message":' + "[" * LEVELS + "]" * LEVELS + "}")


if __name__ == "__main__":
    main()
