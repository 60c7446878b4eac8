"""Sample letters for the preview page: a made-up consumer, never a real one."""

import datetime

from .content import hotline_sender

_FACTORY = {"name": "九州工場", "postal_code": "8410000", "address": "佐賀県鳥栖市立石町1-1",
            "responsible": "品質保証課長 山田 太郎", "phone": "0942-00-0000"}
_SUMMARY = {
    "ja": {"conclusion": "determined", "defect": "包装の不良",
           "examined": "お送りいただいた製品と、同じロットの保存サンプルを調べました。",
           "manufacturing_process": "ガムは圧延、裁断の後、包装機で1枚ずつ包み、箱に詰めます。",
           "cause_occurrence": "包装機の紙送りローラーの摩耗により、包み紙がずれていました。",
           "cause_escape": "外観検査が箱単位の抜き取りであったため、1枚のずれを見逃しました。",
           "prevention": "ローラーを交換し、包装直後にカメラによる全数検査を追加しました。",
           "findings": ""},
    "en": {"conclusion": "determined", "defect": "packaging",
           "examined": "We examined the product you sent and retained samples of the same lot.",
           "manufacturing_process": "The gum is rolled, cut, wrapped stick by stick and boxed.",
           "cause_occurrence": "A worn feed roller on the wrapping machine shifted the wrapper.",
           "cause_escape": "Our visual check sampled whole boxes and missed one shifted wrapper.",
           "prevention": "We replaced the roller and a camera now checks every wrapped stick.",
           "findings": ""},
}


def sample_context(kind: str, language: str = "ja") -> dict:
    language = "en" if language == "en" else "ja"
    consumer = ({"name": "見本 花子", "postal_code": "8100001", "address": "福岡県福岡市中央区天神1-2-3\n見本ハイツ101"}
                if language == "ja" else
                {"name": "Hanako Sample", "postal_code": "8100001", "address": "1-2-3 Tenjin, Chuo-ku, Fukuoka"})
    product = "ミントガム 9枚" if language == "ja" else "Mint gum, 9 sticks"
    return {
        "language": language, "date": datetime.date.today(), "reference": "D-2026-000000", "product_name": product,
        "consumer": consumer, "sender": hotline_sender(), "factory_name": _FACTORY["name"], "factory": _FACTORY,
        "return_reference": "R7K3-M9QX-25", "carrier": "ヤマト運輸" if language == "ja" else "Yamato Transport",
        "return_to": _FACTORY, "summary": _SUMMARY[language], "replacement": [{"name": product, "quantity": 1}],
        "items": [{"name": product, "quantity": 1}], "goodwill": "",
    }
