"""A small English → Vietnamese glossary of news vocabulary.

English questions over Vietnamese articles share almost no words with them, so keyword
search is blind for them. Expanding the question with the Vietnamese words of its common
news terms ("signed" → "ký kết") gives keyword search something to match; the dense side
stays unchanged. Entries are general news language, not any corpus's content.
"""

from __future__ import annotations

import re

_GLOSSARY = """
sign: ký|ký kết
signed: ký|ký kết
agreement: thỏa thuận|hiệp định
treaty: hiệp ước
contract: hợp đồng
regulation: quy chế|quy định
rule: quy định|luật
law: luật|pháp luật
decree: nghị định
party: đảng
committee: ủy ban|ban
secretary: bí thư|thư ký
chairman: chủ tịch
chairwoman: chủ tịch
president: chủ tịch|tổng thống
director: giám đốc
general: tổng
minister: bộ trưởng
ministry: bộ
prime: thủ tướng
government: chính phủ
province: tỉnh
provincial: tỉnh
city: thành phố
district: quận|huyện
ward: phường
commune: xã
village: làng|thôn
country: quốc gia|nước
nation: quốc gia
national: quốc gia
people: người|nhân dân
police: công an|cảnh sát
court: tòa án
trial: xét xử
arrest: bắt
arrested: bắt|bắt giữ
crime: tội phạm
killed: chết|thiệt mạng
died: chết|qua đời
death: chết|tử vong
dead: chết
injured: bị thương
accident: tai nạn
fire: cháy|hỏa hoạn
flood: lũ|lụt
storm: bão
typhoon: bão
rain: mưa
weather: thời tiết
temperature: nhiệt độ
price: giá
prices: giá
gold: vàng
petrol: xăng
gasoline: xăng
oil: dầu
rice: gạo|lúa
market: thị trường|chợ
stock: chứng khoán|cổ phiếu
bank: ngân hàng
interest: lãi suất
rate: tỷ lệ|lãi suất
money: tiền
dollar: đô la|usd
cost: chi phí|giá
budget: ngân sách
tax: thuế
company: công ty|doanh nghiệp
companies: công ty|doanh nghiệp
business: doanh nghiệp|kinh doanh
enterprise: doanh nghiệp
group: tập đoàn|nhóm
corporation: tập đoàn|tổng công ty
chemical: hóa chất
industry: công nghiệp|ngành
factory: nhà máy
investment: đầu tư
investor: nhà đầu tư
project: dự án
export: xuất khẩu
import: nhập khẩu
trade: thương mại
economy: kinh tế
economic: kinh tế
growth: tăng trưởng
revenue: doanh thu
profit: lợi nhuận
increase: tăng
increased: tăng
rise: tăng
rose: tăng
decrease: giảm
decreased: giảm
fell: giảm
fall: giảm
school: trường|trường học
student: học sinh|sinh viên
students: học sinh|sinh viên
teacher: giáo viên
university: đại học|trường
education: giáo dục
exam: thi|kỳ thi
hospital: bệnh viện
doctor: bác sĩ
patient: bệnh nhân
disease: bệnh|dịch bệnh
health: y tế|sức khỏe
vaccine: vắc xin
covid: covid
dengue: sốt xuất huyết
cases: ca|trường hợp
case: ca|vụ|trường hợp
team: đội|đội tuyển
player: cầu thủ
coach: huấn luyện viên|hlv
match: trận|trận đấu
game: trận|trò chơi
football: bóng đá
won: thắng|giành
win: thắng|giành
beat: đánh bại|thắng
lost: thua
champion: vô địch
championship: giải vô địch
goal: bàn thắng|bàn
goals: bàn thắng|bàn
score: điểm|tỷ số
points: điểm
tournament: giải đấu
world: thế giới
cup: cúp
road: đường
bridge: cầu
airport: sân bay
traffic: giao thông
vehicle: xe|phương tiện
car: ô tô|xe
motorbike: xe máy
train: tàu
ship: tàu
plane: máy bay
meeting: hội nghị|cuộc họp
conference: hội nghị
ceremony: lễ
event: sự kiện
festival: lễ hội
speech: phát biểu|bài phát biểu
said: cho biết|nói
say: nói|cho biết
spoke: phát biểu
announced: công bố|thông báo
report: báo cáo
reported: báo cáo|cho biết
held: tổ chức|diễn ra
organized: tổ chức
organised: tổ chức
attend: tham dự|dự
attended: tham dự|dự
cooperation: hợp tác|phối hợp
coordination: phối hợp
cooperate: phối hợp|hợp tác
support: hỗ trợ
help: giúp|hỗ trợ
build: xây dựng
built: xây dựng
develop: phát triển
development: phát triển
plan: kế hoạch
policy: chính sách
decision: quyết định
approved: phê duyệt|thông qua
member: thành viên|ủy viên
members: thành viên|ủy viên
leader: lãnh đạo
leaders: lãnh đạo
leadership: lãnh đạo
head: trưởng|người đứng đầu
deputy: phó
vice: phó
standing: thường trực|thường vụ
board: ban|hội đồng
council: hội đồng
army: quân đội
military: quân sự|quân đội
war: chiến tranh
land: đất|đất đai
house: nhà
houses: nhà
water: nước
electricity: điện
power: điện|năng lượng
energy: năng lượng
environment: môi trường
forest: rừng
sea: biển
island: đảo
river: sông
mountain: núi
year: năm
years: năm
month: tháng
day: ngày
today: hôm nay
yesterday: hôm qua
tomorrow: ngày mai
time: thời gian|lần
first: đầu tiên|thứ nhất
new: mới
old: cũ|tuổi
age: tuổi
born: sinh
million: triệu
billion: tỷ
thousand: nghìn|ngàn
percent: phần trăm
"""

GLOSSARY: dict[str, tuple[str, ...]] = {}
for _line in _GLOSSARY.strip().splitlines():
    _en, _vi = _line.split(":", 1)
    GLOSSARY[_en.strip()] = tuple(v.strip() for v in _vi.split("|"))

_WORD = re.compile(r"[A-Za-z]+")


def _lookup(word: str) -> tuple[str, ...]:
    w = word.lower()
    for cand in (w, w[:-1] if w.endswith("s") else "", w[:-2] if w.endswith("ed") else "",
                 w[:-3] if w.endswith("ing") else "", w[:-1] if w.endswith("d") else ""):
        if cand and cand in GLOSSARY:
            return GLOSSARY[cand]
    return ()


def translate_terms(question: str) -> str:
    """Vietnamese words for the English news terms of a question, space-separated."""
    out: list[str] = []
    for word in _WORD.findall(question):
        out.extend(_lookup(word))
    return " ".join(dict.fromkeys(out))
