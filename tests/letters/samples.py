"""Sample contexts for the letter tests (plain dicts, as the lead's mapping will give)."""

import copy
import datetime as dt

DATE = dt.date(2026, 11, 23)
HOTLINE = {"name": "ひとつぶ製菓株式会社 お客様相談室", "postal_code": "1030027",
           "address": "東京都中央区日本橋2-7-1", "phone": "0120-123-456",
           "hours": "平日 9:00〜17:00"}
FACTORY = {"name": "ひとつぶ製菓株式会社 九州工場", "postal_code": "8300001",
           "address": "福岡県久留米市小森野1-1-1", "responsible": "品質保証課長 佐藤 一郎"}
CONSUMER = {"name": "山田 花子", "postal_code": "8100001",
            "address": "福岡県福岡市中央区天神1-2-3\nテンジンハイツ502号室"}

SUMMARY = {
    "conclusion": "determined",
    "defect": "包装の不良（ガム1枚の包み紙のずれ）",
    "examined": "お送りいただいた製品と、同じ日に同じラインで製造した製品の保存サンプルを調べました。",
    "manufacturing_process": "ガムは、原料の混合、圧延、裁断の後、包装機で1枚ずつ包み、9枚ずつ箱に詰めます。",
    "cause_occurrence": "包装機の紙送りローラーの摩耗により、包み紙の送り量がわずかにずれていました。",
    "cause_escape": "包装後の外観検査は箱単位の抜き取りで行っており、1枚のずれを見逃しました。",
    "prevention": "摩耗したローラーを交換し、交換周期を定めました。\n\n包装直後にカメラによる全数検査を追加しました。",
}
SUMMARY_EN = {
    "conclusion": "determined", "defect": "one stick wrapped wrongly",
    "examined": "We examined the product you sent and retained samples made on the same line that day.",
    "manufacturing_process": "The gum is mixed, rolled and cut, then each stick is wrapped by a wrapping machine and nine sticks are boxed.",
    "cause_occurrence": "A worn feed roller on the wrapping machine shifted the wrapper slightly.",
    "cause_escape": "Our visual check sampled whole boxes and missed a single shifted wrapper.",
    "prevention": "We replaced the roller and set a replacement interval.\n\nA camera now checks every wrapped stick.",
}
SUMMARY_NOT_DETERMINED = {
    "conclusion": "not_determined",
    "examined": "お送りいただいた製品、同じロットの保存サンプル120個、当日の包装機の記録を確認いたしました。",
    "findings": "保存サンプルおよび機械の記録には、同様の異常は見られませんでした。",
    "prevention": "包装機の点検頻度を週1回から毎日に増やし、包装直後の目視確認を強化いたします。",
}


def postcard(**overrides):
    ctx = {"language": "ja", "date": DATE, "reference": "HT-2026-000123",
           "product_name": "ひとつぶガム ペパーミント 9枚入", "consumer": copy.deepcopy(CONSUMER),
           "sender": dict(HOTLINE), "factory_name": FACTORY["name"]}
    ctx.update(overrides)
    return ctx


def apology(**overrides):
    ctx = {"language": "ja", "date": DATE, "reference": "HT-2026-000123",
           "product_name": "ひとつぶガム ペパーミント 9枚入", "consumer": copy.deepcopy(CONSUMER),
           "factory": dict(FACTORY), "summary": dict(SUMMARY),
           "replacement": [{"name": "ひとつぶガム ペパーミント 9枚入", "quantity": 2}]}
    ctx.update(overrides)
    return ctx


def apology_en(**overrides):
    ctx = apology(language="en", summary=dict(SUMMARY_EN),
                  consumer={"name": "Emma Clarke", "postal_code": "1500001",
                            "address": "3-5-10 Jingumae, Shibuya-ku, Tokyo"},
                  factory={**FACTORY, "name": "Hitotsubu Confectionery, Kyushu Factory",
                           "address": "1-1-1 Komorino, Kurume, Fukuoka",
                           "responsible": "Ichiro Sato, Quality Assurance Manager"},
                  replacement=[{"name": "Hitotsubu Gum Peppermint, 9 sticks", "quantity": 2}])
    ctx.update(overrides)
    return ctx


def return_kit(**overrides):
    ctx = {"language": "ja", "date": DATE, "reference": "HT-2026-000123",
           "return_reference": "RT-2026-000123-7", "product_name": "ひとつぶガム ペパーミント 9枚入",
           "consumer": copy.deepcopy(CONSUMER), "sender": dict(HOTLINE),
           "carrier": "ヤマト運輸（宅急便）",
           "return_to": {"name": "ひとつぶ製菓株式会社 九州工場 品質保証課", "postal_code": "8300001",
                         "address": "福岡県久留米市小森野1-1-1", "phone": "0942-00-0000"}}
    ctx.update(overrides)
    return ctx


def packing_slip(**overrides):
    ctx = {"language": "ja", "date": DATE, "reference": "HT-2026-000123",
           "consumer": copy.deepcopy(CONSUMER), "sender": dict(HOTLINE),
           "items": [{"name": "ひとつぶガム ペパーミント 9枚入", "quantity": 2}],
           "include_letter": True, "goodwill": "ひとつぶ製菓 ミニ詰め合わせ"}
    ctx.update(overrides)
    return ctx
